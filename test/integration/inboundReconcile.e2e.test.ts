/**
 * Inbound messages end to end: Event Streams' inbound events archived as
 * records (the same mapping as /event-stream), then `reconcile --direction
 * inbound` against Twilio's list through the fake Twilio API, and the stale
 * poller, which must not ask about a received message.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inboundMessageEvent, messageStatusEvent } from '../../dev/eventStreamSamples';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import { buildEventStreamRecord } from '../../src/domain/eventStreamRecord';
import type { Gap, ReconcileSummary } from '../../src/reconcile/reconcile';
import { runScript } from '../helpers/runScript';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const DAY = '2026-11-25';
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00.000Z`);
const sid = (name: string) => `SM${Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32)}`;
const INBOUND = [sid('in-1'), sid('in-2'), sid('in-3')];
const MISSING = sid('in-lost');
const OUTBOUND = sid('out-1');

let dir: string;
let fake: FakeTwilioApi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inbound-'));
  const store = new FolderArchiveStore(join(dir, 'archive'));
  const events = [
    ...INBOUND.map((messageSid, i) => inboundMessageEvent({ accountSid: ACCOUNT, messageSid, at: at(`0${i + 1}:00`) })),
    // The same inbound event delivered twice (at-least-once).
    inboundMessageEvent({ accountSid: ACCOUNT, messageSid: INBOUND[0], at: at('01:00'), id: 'EZ-dup' }),
    inboundMessageEvent({ accountSid: ACCOUNT, messageSid: INBOUND[0], at: at('01:00'), id: 'EZ-dup' }),
    messageStatusEvent({ accountSid: ACCOUNT, messageSid: OUTBOUND, status: 'delivered', at: at('04:00') }),
  ];
  for (const [i, event] of events.entries()) {
    const recordedAt = new Date(at('00:00').getTime() + (i + 1) * 3_600_000 + 5000);
    const record = buildEventStreamRecord(event, { recordedAt });
    await store.put(
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: recordedAt, uuid: `u${i}`, gzip: false }),
      Buffer.from(toArchiveLine(record)),
    );
  }
  fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
  await fake.start();
  for (const [i, messageSid] of [...INBOUND, MISSING].entries()) {
    const created = at(`0${i + 1}:00`);
    fake.putMessage({
      sid: messageSid,
      account_sid: ACCOUNT,
      direction: 'inbound',
      status: 'received',
      to: '+15005550006',
      from: '+14155550142',
      date_created: created,
      date_sent: created,
      date_updated: created,
    });
  }
  fake.putMessage({ sid: OUTBOUND, account_sid: ACCOUNT, status: 'delivered', date_created: at('04:00'), date_sent: at('04:00'), date_updated: at('04:00') });
});
afterAll(async () => {
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const twilioEnv = () => ({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url });

describe('inbound messages', () => {
  it('reconcile --direction inbound finds the archived inbound messages ok and the one the archive lacks missing', async () => {
    const out = join(dir, 'out');
    const result = await runScript(
      'scripts/reconcile.ts',
      ['--archive', join(dir, 'archive'), '--day', DAY, '--export', 'twilio:api', '--direction', 'inbound', '--out', out],
      twilioEnv(),
    );
    expect(result.stderr).not.toMatch(/cannot proceed/);
    expect(result.code).toBe(1);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ReconcileSummary;
    expect(summary.window.direction).toBe('inbound');
    expect(summary.counts).toMatchObject({ twilio_messages: 4, ok: 3, missing: 1, status_behind: 0, other_direction: 1 });
    const gaps = readFileSync(join(out, 'gaps.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Gap);
    expect(gaps.map((gap) => [gap.message_sid, gap.category])).toEqual([[MISSING, 'missing']]);
  });

  it('the stale poller takes a received message as final and asks Twilio about none', async () => {
    const out = join(dir, 'poll.json');
    const result = await runScript(
      'scripts/poll-stale.ts',
      ['--archive', join(dir, 'archive'), '--since', `${DAY}T00:00:00Z`, '--until', `${DAY}T23:59:59Z`, '--dry-run', '--out', out],
      twilioEnv(),
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(readFileSync(out, 'utf8')) as { counts: Record<string, number> };
    // Three inbound messages and one outbound, each final; before `received` was final the three inbound ones were stale.
    expect(summary.counts).toMatchObject({ messages: 4, stale: 0 });
  });
});
