/**
 * --write: corrections appended in batches; when the archive refuses them,
 * the run says so, counts those gaps as still open, and never claims them
 * written; and when too many messages are missing to be believed, nothing is
 * appended at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveAppender } from '../../src/adapters/archive/archiveAppender';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import type { TwilioMessageRow } from '../../src/domain/reconcile/twilioRow';
import { reconcile, reconcileExitCode, type Gap } from '../../src/reconcile/reconcile';

const row = (n: number): TwilioMessageRow => ({
  sid: `SM${String(n).padStart(32, '0')}`,
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  status: 'delivered',
  direction: 'outbound-api',
  to: '+14155550100',
  from: '+15005550006',
  dateCreated: '2026-11-25T10:00:00.000Z',
  dateSent: '2026-11-25T10:00:00.000Z',
  errorCode: null,
  messagingServiceSid: null,
});

/** The archive holds a delivered callback for the first `archived` rows' messages. */
async function archiveOf(dir: string, archived: number): Promise<FolderArchiveStore> {
  const store = new FolderArchiveStore(dir);
  const lines = Array.from({ length: archived }, (_, n) =>
    toArchiveLine({
      v: 1,
      source: 'callback',
      recorded_at: '2026-11-25T10:01:00.000Z',
      event_at: null,
      account_sid: row(n).accountSid!,
      message_sid: row(n).sid,
      messaging_service_sid: null,
      status: 'delivered',
      error_code: null,
      to: row(n).to,
      from: row(n).from,
      idempotency_token: null,
      tags: {},
      params: {},
    }),
  );
  const arrival = new Date('2026-11-25T10:01:00Z');
  if (archived > 0)
    await store.put(
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: arrival, uuid: 'u', gzip: false }),
      Buffer.from(lines.join('')),
    );
  return store;
}

async function run(appender: ArchiveAppender, rows: number, options: { archived?: number; maxMissingShare?: number; extraLines?: string[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-write-'));
  const gaps: Gap[] = [];
  try {
    const archived = options.archived ?? 0;
    const store = await archiveOf(dir, archived);
    if (options.extraLines) {
      const key = firehoseObjectKey({
        prefix: 'firehose/',
        streamName: 's',
        streamVersion: 1,
        oldestArrival: new Date('2026-11-25T09:00:00Z'),
        uuid: 'x',
        gzip: false,
      });
      await store.put(key, Buffer.from(options.extraLines.join('')));
    }
    const summary = await reconcile({
      store,
      layout: DEFAULT_ARCHIVE_LAYOUT,
      allowEmpty: archived === 0,
      // These tests are about appending: an empty archive, all missing, is what they mean to append.
      maxMissingShare: options.maxMissingShare ?? (archived === 0 ? 1 : undefined),
      from: new Date('2026-11-25T00:00:00Z'),
      to: new Date('2026-11-26T00:00:00Z'),
      slackMs: 3_600_000,
      matchWindowMs: 300_000,
      direction: 'outbound',
      twilioList: async (onRow) => {
        for (let n = 0; n < rows; n++) onRow(row(n));
        return { rows, malformedRows: 0, problems: [], complete: true };
      },
      twilioListDescription: 'stub',
      appender,
      redactDigits: 0,
      onGap: (gap) => gaps.push(gap),
    });
    return { summary, gaps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reconcile --write', () => {
  it('appends the corrections in batches of 500', async () => {
    const batches: number[] = [];
    const { summary } = await run({ description: 'memory', append: async (lines) => void batches.push(lines.length) }, 1_234);
    expect(batches).toEqual([500, 500, 234]);
    expect(summary).toMatchObject({ written: 1_234, write_error: null, gaps_remaining: 0 });
    expect(reconcileExitCode(summary)).toBe(0);
  });

  it('counts the gaps as open and says why when the archive refuses the corrections', async () => {
    let calls = 0;
    const flaky: ArchiveAppender = {
      description: 'refusing',
      append: async () => {
        if (++calls === 2) throw new Error('AccessDenied');
      },
    };
    const { summary, gaps } = await run(flaky, 1_200);
    expect(gaps).toHaveLength(1_200);
    expect(summary).toMatchObject({ written: 700, write_error: 'AccessDenied', gaps_remaining: 500 });
    expect(reconcileExitCode(summary)).toBe(1);
  });

  it('appends nothing, exits 2 and says how to override when more than 5% of the messages are missing', async () => {
    const appended: string[] = [];
    const appender: ArchiveAppender = { description: 'memory', append: async (lines) => void appended.push(...lines) };
    const { summary, gaps } = await run(appender, 100, { archived: 94 });
    expect(appended).toEqual([]);
    expect(gaps.filter((g) => g.category === 'missing')).toHaveLength(6);
    expect(summary.plausibility).toEqual({ missing_share: 0.06, max_missing_share: 0.05 });
    expect(summary.write_refused).toMatch(
      /^6% of Twilio's messages \(6 of 100\) are missing from the archive, above --max-missing-share 5%: .*Nothing was appended\. .*run again with --max-missing-share 0\.06\.$/,
    );
    expect(summary).toMatchObject({ written: 0, gaps_remaining: 6 });
    expect(reconcileExitCode(summary)).toBe(2);
  });

  it('appends at exactly the threshold, and above it when told to deliberately', async () => {
    const appended: string[] = [];
    const appender: ArchiveAppender = { description: 'memory', append: async (lines) => void appended.push(...lines) };
    expect((await run(appender, 100, { archived: 95 })).summary).toMatchObject({ written: 5, write_refused: null, gaps_remaining: 0 });
    const overridden = await run(appender, 100, { archived: 94, maxMissingShare: 0.06 });
    expect(overridden.summary).toMatchObject({ written: 6, write_refused: null, gaps_remaining: 0 });
    expect(appended).toHaveLength(11);
    expect(reconcileExitCode(overridden.summary)).toBe(0);
  });

  it('takes a send attempt delivered twice (at-least-once) as one attempt: one match, one correction', async () => {
    const appended: string[] = [];
    const appender: ArchiveAppender = { description: 'memory', append: async (lines) => void appended.push(...lines) };
    const attempt = toArchiveLine({
      v: 1,
      source: 'send_error',
      recorded_at: '2026-11-25T10:00:01.000Z',
      event_at: '2026-11-25T10:00:00.000Z',
      account_sid: row(0).accountSid!,
      message_sid: null,
      messaging_service_sid: null,
      status: 'failed',
      error_code: null,
      to: row(0).to,
      from: row(0).from,
      idempotency_token: null,
      tags: { client_ref: 'r-1' },
      params: {},
    });
    const { summary, gaps } = await run(appender, 1, { archived: 0, extraLines: [attempt, attempt], maxMissingShare: 1 });
    expect(summary.counts).toMatchObject({ send_errors: 1, matched_by_envelope: 1, ambiguous_envelope: 0 });
    expect(gaps.filter((g) => g.category === 'matched_by_envelope')).toHaveLength(1);
    expect(appended).toHaveLength(1);
  });
});
