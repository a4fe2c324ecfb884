/**
 * With ARCHIVE_REDACT_DIGITS=4, no output of any command holds a full phone
 * number: every command runs over fixtures full of them (an archive written
 * before redaction was on, Twilio's list, the API's messages and error texts,
 * a callback), and every file it writes, every object it appends and every
 * line it prints is searched for each number, with and without its `+`.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { ArchiveWriter } from '../../src/adapters/aws/archiveWriter';
import { twilioClientFromEnv } from '../../src/adapters/twilio/twilioClient';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import { FolderDestination } from '../../dev/firehose/destinations';
import { LocalFirehose } from '../../dev/firehose/localFirehose';
import { startLocalStack } from '../../dev/localStack';
import { inboundMessageEvent, messageStatusEvent, postSignedDelivery } from '../../dev/eventStreamSamples';
import { postSignedCallback, sampleDebuggerAlert } from '../../dev/signedCallbacks';
import { RecordedSender } from '../../src/sender';
import { ACCOUNT_SID, MESSAGE_SID, smsCallback } from '../helpers/callbacks';
import { runScript } from '../helpers/runScript';
import { AUTH_TOKEN } from '../helpers/testStack';

const TOKEN = 'fake-auth-token-0123456789abcdef';
const HOUR = 3_600_000;
const now = Date.now();
const DAY = new Date(now - 24 * HOUR).toISOString().slice(0, 10);
const at = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

/** Every full number the fixtures hold. */
const NUMBERS = ['+14155550101', '+14155550102', '+14155550103', '+14155550104', '+14155550105', '+15005550006', '+447700900123'];
const REDACTED = { ARCHIVE_REDACT_DIGITS: '4' };

/** Every place a full number could show: the number, and its digits without the `+`. */
function leaks(text: string): string[] {
  return NUMBERS.flatMap((n) => [n, n.slice(1)]).filter((n) => text.includes(n));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every file under `dir` that is not among `before`, with its text: what a command wrote. */
function writtenSince(dir: string, before: Set<string>): { path: string; text: string }[] {
  return filesUnder(dir)
    .filter((path) => !before.has(path))
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

function expectNoNumber(where: string, text: string): void {
  expect({ where, leaks: leaks(text) }).toEqual({ where, leaks: [] });
}

function record(source: ArchiveRecord['source'], messageSid: string | null, status: string, when: string, extra: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    v: 1,
    source,
    recorded_at: when,
    event_at: source === 'callback' ? null : when,
    account_sid: ACCOUNT_SID,
    message_sid: messageSid,
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+14155550101',
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: { To: '+14155550101' },
    ...extra,
  };
}

describe('with redaction on, no command outputs a full number', () => {
  let dir: string;
  let archive: string;
  let fake: FakeTwilioApi;
  let twilioEnv: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redaction-'));
    archive = join(dir, 'archive');
    // An archive written before redaction was turned on: full numbers everywhere.
    const store = new FolderArchiveStore(archive);
    const records = [
      record('send', sid(1), 'queued', at('01:00')),
      record('callback', sid(1), 'delivered', at('01:01')),
      record('send', sid(2), 'queued', at('02:00'), { to: '+14155550102' }),
      record('send_error', null, 'send_error', at('03:00'), { to: '+14155550103', tags: { client_ref: 'r-3', callee: '+14155550103' } }),
      record('send', sid(4), 'queued', new Date(now - 20 * HOUR).toISOString(), { to: '+14155550104' }),
    ];
    for (const [i, r] of records.entries()) {
      await store.put(
        firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(r.recorded_at), uuid: `u${i}`, gzip: false }),
        Buffer.from(toArchiveLine(r)),
      );
    }
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT_SID, authToken: TOKEN }]);
    await fake.start();
    twilioEnv = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
    // Bodies are kept as sent (they are the communication itself), so these hold no number.
    fake.putMessage({
      sid: sid(1),
      account_sid: ACCOUNT_SID,
      to: '+14155550101',
      status: 'delivered',
      date_created: new Date(at('01:00')),
      date_sent: new Date(at('01:00')),
    });
    fake.putMessage({
      sid: sid(2),
      account_sid: ACCOUNT_SID,
      to: '+14155550102',
      status: 'delivered',
      date_created: new Date(at('02:00')),
      date_sent: new Date(at('02:00')),
    });
    fake.putMessage({
      sid: sid(3),
      account_sid: ACCOUNT_SID,
      to: '+14155550103',
      status: 'delivered',
      date_created: new Date(at('03:01')),
      date_sent: new Date(at('03:01')),
    });
    fake.putMessage({
      sid: sid(4),
      account_sid: ACCOUNT_SID,
      to: '+14155550104',
      status: 'undelivered',
      error_code: 30003,
      error_message: 'Unreachable destination handset +14155550104',
      date_created: new Date(now - 20 * HOUR),
      date_updated: new Date(now - 13 * HOUR),
    });
    fake.putMessage({
      sid: sid(5),
      account_sid: ACCOUNT_SID,
      to: '+14155550105',
      status: 'sent',
      date_created: new Date(at('05:00')),
      date_sent: new Date(at('05:00')),
    });
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('poll-stale: its summary, its output and the poll records it appends', async () => {
    const before = new Set(filesUnder(dir));
    const out = join(dir, 'poll-summary.json');
    const run = await runScript('scripts/poll-stale.ts', ['--archive', archive, '--since', '2d', '--append', 'archive', '--out', out], {
      ...twilioEnv,
      ...REDACTED,
    });
    expect(run.stderr).not.toMatch(/cannot proceed/);
    expect(fake.fetchedSids).toContain(sid(4));
    const written = writtenSince(dir, before);
    expect(written.some((f) => f.path.includes(`${join('archive', 'direct')}`))).toBe(true);
    expect(written.find((f) => f.path.includes('direct'))!.text).toContain('Unreachable destination handset +1415555****');
    for (const { path, text } of written) expectNoNumber(path, text);
    expectNoNumber('poll-stale stdout', run.stdout);
    expectNoNumber('poll-stale stderr', run.stderr);
  });

  it.each([
    ['a Console CSV', 'csv'],
    ['the list API', 'twilio:api'],
  ])('reconcile over %s: gaps, summary, report, the corrections it appends, and its output', async (_what, source) => {
    const csv = join(dir, 'messages.csv');
    writeFileSync(
      csv,
      [
        'Sid,From,To,Status,SentDate,Direction,AccountSid',
        ...[1, 2, 3, 5].map(
          (n) =>
            `${sid(n)},+15005550006,+1415555010${n},${n === 5 ? 'sent' : 'delivered'},${n === 3 ? at('03:01') : at(`0${n}:00`)},outbound-api,${ACCOUNT_SID}`,
        ),
        // A row that cannot be read, quoting a number: its problem is reported, masked.
        `+447700900123,+15005550006,+14155550105,delivered,${at('06:00')},outbound-api,${ACCOUNT_SID}`,
      ].join('\n'),
    );
    // Each run over its own copy of the archive: a first --write would leave the second nothing to find.
    const copy = join(dir, `archive-${source.replace(':', '-')}`);
    cpSync(archive, copy, { recursive: true });
    const before = new Set(filesUnder(dir));
    const out = join(dir, `out-${source.replace(':', '-')}`);
    const run = await runScript(
      'scripts/reconcile.ts',
      [
        '--archive',
        copy,
        '--day',
        DAY,
        '--export',
        source === 'csv' ? csv : source,
        '--out',
        out,
        '--write',
        '--append',
        'archive',
        '--max-missing-share',
        '100%',
        // The CSV's unreadable row (a number where the SID goes) is there on purpose: its reason must be masked.
        '--accept-partial-read',
      ],
      { ...twilioEnv, ...REDACTED },
    );
    expect(run.stderr).not.toMatch(/cannot proceed/);
    const gaps = readFileSync(join(out, 'gaps.ndjson'), 'utf8');
    // The findings are there, with the numbers masked: the timed-out send matched by envelope, the missing message.
    expect(gaps).toContain('"category":"matched_by_envelope"');
    expect(gaps).toContain('+1415555****');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      written: number;
      inputs: { twilio_read: { problems: { reason: string }[] } };
    };
    expect(summary.written).toBeGreaterThan(0);
    if (source === 'csv') expect(summary.inputs.twilio_read.problems[0].reason).toBe('"+44770090****" is not a message SID');
    const written = writtenSince(dir, before);
    expect(written.filter((f) => f.path.startsWith(join(copy, 'direct')))).toHaveLength(1);
    for (const { path, text } of written) expectNoNumber(path, text);
    expectNoNumber('reconcile stdout', run.stdout);
    expectNoNumber('reconcile stderr', run.stderr);
  });

  it('the sending library and drain-spool: the spooled record and what is appended from it', async () => {
    const firehoseDir = join(dir, 'delivered');
    const firehose = new LocalFirehose({ streamNames: ['redaction'], destination: new FolderDestination(firehoseDir), hints: { intervalMs: 60_000 } });
    const endpoint = await firehose.start();
    try {
      const client = twilioClientFromEnv(twilioEnv, { retry: { maxAttempts: 1 } }).client;
      const down = new ArchiveWriter({
        region: 'us-east-1',
        credentials: { accessKeyId: 'L', secretAccessKey: 'L' },
        streamName: 'no-such-stream',
        firehoseEndpoint: endpoint,
        budgetMs: 600,
        attemptTimeoutMs: 200,
      });
      const spoolDir = join(dir, 'spool');
      const sender = new RecordedSender({ client, functionUrl: 'https://a-1-prod.twil.io/status-callback', archive: down, spoolDir, redactDigits: 4 });
      expect((await sender.send({ to: '+14155550105', from: '+15005550006', body: 'Statement ready' }, { tags: { callee: '+14155550105' } })).recorded).toBe(
        'spool',
      );
      for (const file of filesUnder(spoolDir)) expectNoNumber(file, readFileSync(file, 'utf8'));
      const drained = await runScript('scripts/drain-spool.ts', ['--spool', spoolDir], {
        ARCHIVE_FIREHOSE_STREAM: 'redaction',
        ARCHIVE_FIREHOSE_ENDPOINT: endpoint,
        ARCHIVE_AWS_REGION: 'us-east-1',
        ARCHIVE_AWS_ACCESS_KEY_ID: 'L',
        ARCHIVE_AWS_SECRET_ACCESS_KEY: 'L',
        ...REDACTED,
      });
      expect(drained.code).toBe(0);
      await firehose.flush();
      const delivered = filesUnder(firehoseDir)
        .map((f) => readFileSync(f, 'utf8'))
        .join('');
      expect(delivered).toContain('"to":"+1415555****"');
      expectNoNumber('delivered records', delivered);
      expectNoNumber('drain-spool stdout', drained.stdout + drained.stderr);
    } finally {
      await firehose.stop();
    }
  });

  it('the Function in the local stack: the archived record and every log line', async () => {
    const delivered = join(dir, 'stack-archive');
    const log: string[] = [];
    const stack = await startLocalStack({
      projectRoot: join(__dirname, '..', '..'),
      settings: {
        ACCOUNT_SID,
        AUTH_TOKEN,
        ARCHIVE_FIREHOSE_STREAM: 'redaction',
        ARCHIVE_AWS_REGION: 'us-east-1',
        ARCHIVE_AWS_ACCESS_KEY_ID: 'L',
        ARCHIVE_AWS_SECRET_ACCESS_KEY: 'L',
        PORT: '0',
        LOCAL_FIREHOSE_BUFFER_SECONDS: '600',
        ...REDACTED,
      },
      destination: new FolderDestination(delivered),
      log: (line) => log.push(line),
    });
    try {
      // Odd as well as plain: a repeated To, and a status message quoting the number.
      const body = `${new URLSearchParams(smsCallback({ To: '+14155550101', ChannelStatusMessage: 'Handset +14155550101 unreachable' })).toString()}&To=%2B14155550102`;
      const { getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks');
      const url = `${stack.url}/status-callback?callee=%2B14155550101`;
      // Copied into this realm's arrays: the validator tells a list by instanceof Array, which URLSearchParams' arrays fail under jest.
      const params = Object.fromEntries(
        [...new URLSearchParams(body).keys()].map((k) => [k, [...new URLSearchParams(body).getAll(k)]]).map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
      );
      const answer = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': getExpectedTwilioSignature(AUTH_TOKEN, url, params as Record<string, string>),
        },
      });
      expect(answer.status).toBe(200);
      expect((await postSignedCallback(`${stack.url}/status-callback`, smsCallback({ To: '+14155550103' }), AUTH_TOKEN)).status).toBe(200);
      // The other two ways in: an Event Streams delivery (a status and an inbound message) and a Debugger alert quoting a number.
      const events = [
        messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, status: 'delivered', at: new Date(), to: '+14155550104', from: '+15005550006' }),
        inboundMessageEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, at: new Date(), from: '+447700900123', to: '+15005550006' }),
        // Odd, so that its problems are logged too.
        { ...messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, status: 'sent', at: new Date(), to: '+14155550105' }), id: undefined },
      ];
      expect((await postSignedDelivery(`${stack.url}/event-stream`, events, AUTH_TOKEN)).status).toBe(200);
      const alert = {
        ...sampleDebuggerAlert(ACCOUNT_SID, MESSAGE_SID),
        Payload: JSON.stringify({ resource_sid: MESSAGE_SID, error_code: '30003', more_info: { To: '+14155550102', Msg: 'to 14155550102' } }),
      };
      expect((await postSignedCallback(`${stack.url}/debugger`, alert, AUTH_TOKEN)).status).toBe(200);
      await stack.firehose.flush();
      const archived = filesUnder(delivered)
        .map((f) => readFileSync(f, 'utf8'))
        .join('');
      expect(archived).toContain('Handset +1415555**** unreachable');
      expect(archived).toContain('"source":"event_stream"');
      expect(archived).toContain('"source":"debugger"');
      expectNoNumber('archived callbacks', archived);
    } finally {
      await stack.stop();
    }
    expect(log.some((line) => line.includes('callback archived with problems'))).toBe(true);
    expect(log.some((line) => line.includes('event-stream events archived with problems'))).toBe(true);
    expect(log.filter((l) => leaks(l).length > 0)).toEqual([]);
    expectNoNumber('local stack log', log.join('\n'));
  });

  it('the Function in the local stack: numbers nested, glued to a letter, as a status or code, or naming a tag (issue 22, item 10)', async () => {
    /** Numbers that appear nowhere else, each in a place the masking once missed. */
    const hidden = ['+14155550021', '+14155550022', '+14155550023', '+14155550024', '+14155550025', '+14155550026', '+14155550027', '+14155550028'];
    const hiddenLeaks = (text: string) => hidden.flatMap((n) => [n, n.slice(1)]).filter((n) => text.includes(n));
    const delivered = join(dir, 'stack-archive-hidden');
    const log: string[] = [];
    const stack = await startLocalStack({
      projectRoot: join(__dirname, '..', '..'),
      settings: {
        ACCOUNT_SID,
        AUTH_TOKEN,
        ARCHIVE_FIREHOSE_STREAM: 'redaction',
        ARCHIVE_AWS_REGION: 'us-east-1',
        ARCHIVE_AWS_ACCESS_KEY_ID: 'L',
        ARCHIVE_AWS_SECRET_ACCESS_KEY: 'L',
        PORT: '0',
        LOCAL_FIREHOSE_BUFFER_SECONDS: '600',
        ...REDACTED,
      },
      destination: new FolderDestination(delivered),
      log: (line) => log.push(line),
    });
    try {
      // A tag named like a number and one glued to a word, in the URL twilio-run logs; a status and a code that are numbers.
      const callbackUrl = `${stack.url}/status-callback?${encodeURIComponent('+14155550028')}=x&note=call${encodeURIComponent('+14155550025')}`;
      const callback = smsCallback({ MessageStatus: '+14155550026', ErrorCode: '14155550027', ChannelStatusMessage: 'abc+14155550024' });
      expect((await postSignedCallback(callbackUrl, callback, AUTH_TOKEN)).status).toBe(200);
      const status = messageStatusEvent({
        accountSid: ACCOUNT_SID,
        messageSid: MESSAGE_SID,
        status: 'delivered',
        at: new Date(),
        tags: { '+14155550028': 'named like a number', note: 'call+14155550025' },
      });
      const data = status.data as Record<string, unknown>;
      const event = {
        ...status,
        data: {
          ...data,
          messageStatus: '+14155550026',
          errorCode: 14155550027,
          channel: { to: { address: '+14155550021' }, hops: ['abc+14155550024', { via: '+14155550022' }] },
        },
        extra: { forwarded_to: '+14155550023' },
      };
      expect((await postSignedDelivery(`${stack.url}/event-stream`, [event], AUTH_TOKEN)).status).toBe(200);
      await stack.firehose.flush();
      const archived = filesUnder(delivered)
        .map((f) => readFileSync(f, 'utf8'))
        .join('');
      const records = archived
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ArchiveRecord);
      expect(records.map((r) => r.source).sort()).toEqual(['callback', 'event_stream']);
      for (const r of records) expect(r).toMatchObject({ status: '+1415555****', error_code: '1415555****', tags: { '+1415555****': expect.any(String) } });
      expect(hiddenLeaks(archived)).toEqual([]);
      // What is not a number stays: the body, the SIDs, the carrier time.
      expect(archived).toContain(MESSAGE_SID);
      expect(archived).toContain('"RawDlrDoneDate":"2611261530"');
    } finally {
      await stack.stop();
    }
    expect(log.some((line) => line.includes('call%2B1415555****'))).toBe(true);
    expect(log.filter((l) => hiddenLeaks(l).length > 0)).toEqual([]);
  });
});
