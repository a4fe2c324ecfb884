/**
 * The categories' SQL (src/domain/reconcile/sql) against the streaming
 * engine (src/reconcile/reconcile.ts), on the same archive and the same list:
 * for every message of Twilio's list and every send attempt, both give the
 * same category and the same matched SID. Generated days with the hard cases:
 * redacted numbers on either side, ties, duplicates, out-of-order records,
 * late callbacks beyond the slack, the window's edges, the match window's
 * edges, ambiguous candidates, attempts matched by an earlier run.
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbCategories, type CategoryParameters, type StatusVerdict } from '../helpers/duckDbCategories';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { NativeDuckDbWarehouse } from '../../src/adapters/duckdb/nativeWarehouse';
import { scanWindow } from '../../src/adapters/archive/windowScan';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import type { RecordFacts } from '../../src/domain/archiveLine';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { redactTwilioRow, type TwilioMessageRow } from '../../src/domain/reconcile/twilioRow';
import { maskTrailingDigits } from '../../src/domain/redaction';
import { reconcile, type Gap, type ReconcileOptions, type ReconcileSummary, type Verdict } from '../../src/reconcile/reconcile';
import { reconcileNatively } from '../../src/reconcile/nativeReconcile';
import { reconcileInWarehouse } from '../../src/reconcile/warehouseReconcile';
import { pollStale, type PollOptions } from '../../src/poller/pollStale';
import { pollStaleInWarehouse } from '../../src/poller/pollStaleInWarehouse';
import type { MessageFetcher } from '../../src/adapters/twilio/messageFetcher';
import { DuckDbWarehouse } from '../helpers/duckDbWarehouse';
import { hostileEventLines } from '../helpers/cloudEvents';
import { messageStatusEvent, type StatusEventFields } from '../../dev/eventStreamSamples';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const FROM = Date.parse('2026-11-25T00:00:00.000Z');
const TO = Date.parse('2026-11-26T00:00:00.000Z');
const SLACK_MS = 3_600_000;
const MATCH_MS = 300_000;
const MIN = 60_000;

/** A small seeded generator (mulberry32): every failure is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

interface Day {
  records: ArchiveRecord[];
  rows: TwilioMessageRow[];
}

function record(fields: Partial<ArchiveRecord> & Pick<ArchiveRecord, 'source' | 'recorded_at' | 'status'>): ArchiveRecord {
  return {
    v: 1,
    event_at: null,
    account_sid: ACCOUNT,
    message_sid: null,
    messaging_service_sid: null,
    error_code: null,
    to: null,
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
    ...fields,
  };
}

/** A generated day: messages with every kind of record history, Twilio's view of them, and failed send attempts. */
function generateDay(seed: number, redactDigits: number): Day {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const chance = (p: number) => rnd() < p;
  const records: ArchiveRecord[] = [];
  const rows: TwilioMessageRow[] = [];
  const mask = (number: string) => maskTrailingDigits(number, redactDigits);
  // Few distinct numbers, so that envelopes collide.
  const numbers = Array.from({ length: 40 }, (_, i) => `+1415555${String(1000 + i)}`);
  const candidates: { to: string; created: number }[] = [];

  for (let n = 1; n <= 300; n++) {
    const messageSid = sid(n);
    // Around the window's edges too: some created just before or after it.
    const created = FROM - 30 * MIN + Math.floor(rnd() * (TO - FROM + 60 * MIN));
    const to = pick(numbers);
    const finalStatus = pick(['delivered', 'undelivered', 'failed', 'read', 'sent', 'canceled', 'queued'] as const);
    const errorCode = finalStatus === 'undelivered' || finalStatus === 'failed' ? pick(['30003', '30005', '30007']) : null;
    const base = { message_sid: messageSid, to: mask(to) };
    const history = ['queued', 'sent', ...(finalStatus === 'read' ? ['delivered', 'read'] : [finalStatus])].filter((s, i, all) => all.indexOf(s) === i);
    const archived = chance(0.85);
    let hasSend = false;
    if (archived) {
      if (chance(0.7)) {
        hasSend = chance(0.9);
        // A send record without date_created does not tell the creation time.
        records.push(record({ ...base, source: 'send', status: 'queued', recorded_at: iso(created + 900), event_at: hasSend ? iso(created) : null }));
      }
      // Callbacks: some lost, some twice, some without a time, some late.
      const upTo = chance(0.8) ? history.length : Math.max(1, history.length - 1);
      for (let i = 0; i < upTo; i++) {
        const status = history[i];
        const eventAt = chance(0.6) ? created + (i + 1) * 20_000 : null;
        const late = chance(0.05) ? pick([2 * SLACK_MS, 26 * 3_600_000]) : 0;
        const recordedAt = created + (i + 1) * 21_000 + Math.floor(rnd() * 5_000) + late;
        const code = status === finalStatus && errorCode && chance(0.8) ? errorCode : null;
        const callback = record({
          ...base,
          source: 'callback',
          status,
          event_at: eventAt === null ? null : iso(eventAt),
          recorded_at: iso(recordedAt),
          error_code: code,
        });
        records.push(callback);
        if (chance(0.2)) records.push({ ...callback });
        // A tie at the same rank: another final status at the same event time, recorded later.
        if (status === finalStatus && (status === 'undelivered' || status === 'failed') && chance(0.3)) {
          const other = status === 'failed' ? 'undelivered' : 'failed';
          // Same event time, recorded later; or a later event recorded earlier (the event time decides, not the arrival).
          if (chance(0.5)) records.push({ ...callback, status: other, recorded_at: iso(recordedAt + 1_000) });
          else
            records.push({
              ...callback,
              status: other,
              event_at: iso(created + 600_000),
              recorded_at: iso(recordedAt - 1_000),
              error_code: pick(['30001', null]),
            });
        }
      }
      // A later record without an error code never erases one.
      if (errorCode && chance(0.3))
        records.push(record({ ...base, source: 'poll', status: finalStatus, recorded_at: iso(created + 13 * 3_600_000), event_at: null }));
      if (chance(0.05)) records.push(record({ ...base, source: 'poll', status: 'not_found', recorded_at: iso(created + 12 * 3_600_000) }));
    }
    if (!hasSend) candidates.push({ to, created });
    // Twilio's view: usually the final status; sometimes unlisted, sometimes of another direction or without dates.
    if (chance(0.95) || !hasSend) {
      const twilioStatus = chance(0.85) ? finalStatus : pick(['delivered', 'undelivered', 'sent', 'read', 'failed']);
      rows.push({
        sid: messageSid,
        accountSid: chance(0.95) ? ACCOUNT : null,
        status: twilioStatus,
        direction: chance(0.03) ? null : chance(0.05) ? 'inbound' : pick(['outbound-api', 'outbound-reply']),
        to: chance(0.5) ? to : mask(to),
        from: '+15005550006',
        dateCreated: chance(0.03) ? null : iso(created),
        dateSent: iso(created + 1_000),
        errorCode: twilioStatus === finalStatus ? errorCode : null,
        messagingServiceSid: null,
      });
    }
  }

  // Send attempts that got no SID: near a candidate (inside, on, and just past the match window), near two, near none.
  for (let k = 0; k < 80; k++) {
    const target = pick(candidates);
    const offset = pick([0, 1_000, -1_000, MATCH_MS, -MATCH_MS, MATCH_MS + 1, -MATCH_MS - 1, 2 * MATCH_MS, 30_000]);
    const at = chance(0.85) ? target.created + offset : FROM + Math.floor(rnd() * (TO - FROM));
    const to = chance(0.85) ? target.to : pick(numbers);
    const clientRef = chance(0.9) ? `ref-${k}` : undefined;
    const attempt = record({
      source: 'send_error',
      status: 'failed',
      recorded_at: iso(at + 200),
      event_at: chance(0.5) ? iso(at) : null,
      to: mask(to),
      tags: clientRef ? { client_ref: clientRef } : {},
      params: { error: { message: 'timeout' } },
    });
    records.push(attempt);
    if (chance(0.1)) records.push({ ...attempt });
    // Matched by an earlier run: its reconcile record names the attempt.
    if (chance(0.05)) {
      const id = `${attempt.recorded_at}|${clientRef ?? ''}|${attempt.to}`;
      records.push(
        record({ source: 'reconcile', status: 'delivered', recorded_at: iso(TO + 1_000), message_sid: sid(1), params: { reconcile: { matched_attempt: id } } }),
      );
    }
  }
  return { records, rows };
}

/** A CloudEvent line of the Kinesis path, and when it arrived (its object's key says so, to the second). */
interface EventLine {
  arrival: number;
  line: string;
}

/**
 * Some of a day's callbacks as Twilio's Event Streams would have sent them
 * instead, through the Kinesis path: the same status of the same message at
 * the same time, arriving when the callback was recorded. The numbers are as
 * sent, full whatever the redaction (the readers mask them).
 */
function asEvents(day: Day, seed: number, share: number): EventLine[] {
  const rnd = random(seed ^ 0xe7e7);
  const events: EventLine[] = [];
  day.records = day.records.filter((r, i) => {
    if (r.source !== 'callback' || r.message_sid === null || rnd() >= share) return true;
    const event = messageStatusEvent({
      accountSid: r.account_sid ?? ACCOUNT,
      messageSid: r.message_sid,
      status: r.status as StatusEventFields['status'],
      at: new Date(r.event_at ?? r.recorded_at),
      id: `EZ${seed}-${i}`,
      to: '+14155550101',
      ...(r.error_code === null ? {} : { errorCode: Number(r.error_code) }),
    });
    events.push({ arrival: Date.parse(r.recorded_at), line: JSON.stringify(event) });
    return false;
  });
  return events;
}

/**
 * Writes the records as Firehose would: one object per arrival hour, the lines of each shuffled; and the events
 * likewise under events/, each object named after its oldest arrival.
 */
async function writeArchive(dir: string, records: ArchiveRecord[], seed: number, events: EventLine[] = []): Promise<FolderArchiveStore> {
  const rnd = random(seed ^ 0x5eed);
  const store = new FolderArchiveStore(dir);
  const byHour = new Map<string, string[]>();
  for (const r of records) {
    const hour = r.recorded_at.slice(0, 13);
    byHour.set(hour, [...(byHour.get(hour) ?? []), toArchiveLine(r)]);
  }
  for (const [hour, lines] of byHour) {
    lines.sort(() => rnd() - 0.5);
    const key = firehoseObjectKey({
      prefix: 'firehose/',
      streamName: 's',
      streamVersion: 1,
      oldestArrival: new Date(`${hour}:00:00Z`),
      uuid: 'u',
      gzip: false,
    });
    await store.put(key, Buffer.from(lines.join('')));
  }
  const eventsByHour = new Map<string, EventLine[]>();
  for (const e of events) {
    const hour = iso(e.arrival).slice(0, 13);
    eventsByHour.set(hour, [...(eventsByHour.get(hour) ?? []), e]);
  }
  for (const lines of eventsByHour.values()) {
    const oldest = Math.min(...lines.map((e) => e.arrival));
    const key = firehoseObjectKey({ prefix: 'events/', streamName: 'e', streamVersion: 1, oldestArrival: new Date(oldest), uuid: 'u', gzip: false });
    await store.put(key, Buffer.from(lines.map((e) => `${e.line}\n`).join('')));
  }
  return store;
}

async function bothEngines(seed: number, redactDigits: number, direction: CategoryParameters['direction'] = 'outbound') {
  const day = generateDay(seed, redactDigits);
  const dir = mkdtempSync(join(tmpdir(), 'sql-differential-'));
  const db = await DuckDbCategories.open();
  try {
    const store = await writeArchive(dir, day.records, seed);
    const common = {
      store,
      layout: DEFAULT_ARCHIVE_LAYOUT,
      from: new Date(FROM),
      to: new Date(TO),
      slackMs: SLACK_MS,
      matchWindowMs: MATCH_MS,
      direction,
      redactDigits,
    };

    const verdicts: Verdict[] = [];
    const gaps: Gap[] = [];
    const summary = await reconcile({
      ...common,
      allowEmpty: false,
      twilioList: async (onRow) => {
        for (const row of day.rows) onRow(row);
        return { rows: day.rows.length, malformedRows: 0, problems: [], complete: true };
      },
      twilioListDescription: 'generated',
      appender: null,
      onGap: (gap) => gaps.push(gap),
      onVerdict: (verdict) => verdicts.push(verdict),
    });

    // The SQL reads what the streaming engine read: the same objects of the same window, as facts.
    const facts: RecordFacts[] = [];
    await scanWindow(store, DEFAULT_ARCHIVE_LAYOUT, new Date(FROM - SLACK_MS), new Date(TO + SLACK_MS), {
      allowEmpty: false,
      onRecord: (f) => facts.push({ ...f }),
    });
    await db.addRecords(facts);
    await db.addTwilioRows(day.rows.map((row) => redactTwilioRow(row, redactDigits)));
    const parameters: CategoryParameters = { windowFrom: iso(FROM), windowTo: iso(TO), matchWindowMs: MATCH_MS, direction };

    const local = {
      messages: Object.fromEntries(verdicts.flatMap((v) => (v.kind === 'message' ? [[v.sid, v.category]] : []))),
      archived: Object.fromEntries(verdicts.flatMap((v) => (v.kind === 'message' && v.archive ? [[v.sid, v.archive]] : []))),
      attempts: Object.fromEntries(verdicts.flatMap((v) => (v.kind === 'attempt' ? [[v.id, { category: v.category, sid: v.sid }]] : []))),
      unknown: gaps
        .filter((g) => g.category === 'unknown_to_twilio')
        .map((g) => g.message_sid!)
        .sort(),
      // What the archive says of each message with a status gap: its latest status and error code.
      archiveSide: Object.fromEntries(
        gaps.flatMap((g) => {
          const archive = (g.evidence as { archive?: { status: string; error_code: string | null } | null }).archive;
          return ['missing', 'status_behind', 'status_conflict'].includes(g.category) && archive
            ? [[g.message_sid!, { status: archive.status, error_code: archive.error_code }]]
            : [];
        }),
      ),
    };
    await db.decide(parameters);
    const statusVerdicts = await db.all<StatusVerdict>('statusVerdicts');
    const sql = {
      messages: Object.fromEntries(statusVerdicts.map((v) => [v.sid, v.category])),
      archived: Object.fromEntries(
        statusVerdicts.flatMap((v) => (v.archived ? [[v.sid, { status: v.archive_status ?? '', error_code: v.archive_error_code }]] : [])),
      ),
      attempts: Object.fromEntries((await db.attemptVerdicts()).map((v) => [v.attempt_id, { category: v.category, sid: v.matched_sid }])),
      // The query also gives the window's other unlisted messages (for the list's plausibility): the gaps are the sender's.
      unknown: (await db.unknownToTwilio()).filter((u) => u.created_from_send).map((u) => u.sid),
      archiveSide: Object.fromEntries(
        statusVerdicts
          .filter((v) => v.category !== 'ok' && v.category !== 'pending' && v.archive_status !== null)
          .map((v) => [v.sid, { status: v.archive_status, error_code: v.archive_error_code }]),
      ),
    };
    return { local, sql, summary, day };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function tally(values: Record<string, unknown>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of Object.values(values)) {
    const key = typeof value === 'string' ? value : (value as { category: string }).category;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('the categories in SQL (DuckDB) and the streaming engine', () => {
  it.each([
    [1, 0],
    [2, 0],
    [3, 4],
    [4, 4],
    [5, 2],
  ])('agree on every message and every attempt of a generated day (seed %i, %i digits redacted)', async (seed, redactDigits) => {
    const { local, sql } = await bothEngines(seed, redactDigits);
    expect(sql.messages).toEqual(local.messages);
    expect(sql.attempts).toEqual(local.attempts);
    expect(sql.unknown).toEqual(local.unknown);
    expect(sql.archiveSide).toEqual(local.archiveSide);
    expect(sql.archived).toEqual(local.archived);
    // The generated days do exercise every category, so agreement means something.
    const messages = tally(local.messages);
    expect(Object.keys(messages)).toEqual(expect.arrayContaining(['ok', 'pending', 'missing', 'status_behind', 'status_conflict']));
    expect(Object.keys(tally(local.attempts))).toEqual(expect.arrayContaining(['ambiguous_envelope', 'matched_by_envelope', 'unmatched_send_error']));
  });

  it('agree for inbound messages and for every direction', async () => {
    for (const direction of ['inbound', 'all'] as const) {
      const { local, sql } = await bothEngines(7, 0, direction);
      expect(sql.messages).toEqual(local.messages);
      expect(sql.attempts).toEqual(local.attempts);
      expect(sql.unknown).toEqual(local.unknown);
    }
  });

  /** Arrays in evidence sorted, so that the order engines list things in does not count. */
  function normalized(gaps: Gap[]): string[] {
    const sortDeep = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sortDeep).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sortDeep(v)]))
          : value;
    return gaps.map((gap) => JSON.stringify(sortDeep(gap))).sort();
  }

  /** A run's options over a day's archive and list, with --write into `appended` and the gaps into `gaps`. */
  function dayOptions(store: FolderArchiveStore, day: Day, redactDigits: number, appended: string[], gaps: Gap[] = []): ReconcileOptions {
    return {
      store,
      layout: DEFAULT_ARCHIVE_LAYOUT,
      allowEmpty: false,
      from: new Date(FROM),
      to: new Date(TO),
      slackMs: SLACK_MS,
      matchWindowMs: MATCH_MS,
      direction: 'outbound',
      redactDigits,
      maxMissingShare: 1,
      twilioList: async (onRow) => {
        for (const row of day.rows) onRow(row);
        return { rows: day.rows.length, malformedRows: 0, problems: [], complete: true };
      },
      twilioListDescription: 'generated',
      appender: { description: 'memory', append: async (lines) => void appended.push(...lines) },
      onGap: (gap) => gaps.push(gap),
      now: () => new Date('2026-11-27T06:00:00.000Z'),
    };
  }

  /** Runs an engine on a day's archive and list, with --write into memory. */
  async function runEngine(engine: (options: ReconcileOptions) => Promise<ReconcileSummary>, store: FolderArchiveStore, day: Day, redactDigits: number) {
    const gaps: Gap[] = [];
    const appended: string[] = [];
    const summary = await engine(dayOptions(store, day, redactDigits, appended, gaps));
    return { gaps: normalized(gaps), appended: appended.sort(), summary: { ...summary, duration_ms: 0 } };
  }

  /** Two runs that must agree: the same summary, gaps and corrections. */
  function expectAlike(run: Awaited<ReturnType<typeof runEngine>>, local: Awaited<ReturnType<typeof runEngine>>): void {
    expect(run.summary).toEqual(local.summary);
    expect(run.gaps).toEqual(local.gaps);
    expect(run.appended).toEqual(local.appended);
  }

  /** Lines whose times have the archive's form but name no real instant: malformed on every engine, never a failed query or a rolled-over day. */
  const IMPOSSIBLE_TIMES = [
    '2026-11-25T25:61:61.000Z',
    '2026-13-01T10:00:00.000Z',
    '2026-11-00T10:00:00.000Z',
    '2026-02-31T10:00:00.000Z',
    '2026-11-25T24:00:00.000Z',
  ].flatMap((at) => [
    JSON.stringify(record({ source: 'callback', status: 'read', message_sid: sid(8), recorded_at: at })),
    JSON.stringify(record({ source: 'callback', status: 'read', message_sid: sid(9), recorded_at: '2026-11-25T10:00:00.000Z', event_at: at })),
  ]);

  it.each([
    ['while the objects are gated', 'gate'],
    ["while Twilio's list is read, the line facts being checked", 'list'],
  ])('--engine duckdb stops on Ctrl-C %s: the run fails, nothing is appended, its temporary folder is removed', async (_when, at) => {
    const day = generateDay(13, 0);
    const dir = mkdtempSync(join(tmpdir(), 'sql-stop-'));
    const scratch = mkdtempSync(join(tmpdir(), 'sql-stop-tmp-'));
    try {
      const store = await writeArchive(dir, day.records, 13);
      const stop = new AbortController();
      const appended: string[] = [];
      // What the temporary folder held when Ctrl-C came: the run's own folder, which must be gone afterwards.
      let heldAtStop: string[] = [];
      const abort = () => {
        heldAtStop = readdirSync(scratch);
        stop.abort();
      };
      const options = dayOptions(store, day, 0, appended);
      const run = reconcileNatively({
        ...options,
        twilioList: (onRow) => {
          if (at === 'list') abort();
          // The list is read through; the run must still stop before it judges anything.
          return options.twilioList(onRow);
        },
        onProgress: (phase) => {
          if (at === 'gate' && phase === 'archive') abort();
        },
        signal: stop.signal,
        tempFolder: scratch,
      });
      await expect(run).rejects.toThrow();
      expect(appended).toEqual([]);
      expect(heldAtStop).toEqual([expect.stringMatching(/^archive-duckdb-/)]);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("--engine duckdb short of memory says so in the command's words (a larger --memory, or --engine local), and appends nothing", async () => {
    const day = generateDay(14, 0);
    const dir = mkdtempSync(join(tmpdir(), 'sql-memory-'));
    try {
      const store = await writeArchive(dir, day.records, 14);
      const appended: string[] = [];
      const run = reconcileNatively({
        ...dayOptions(store, day, 0, appended),
        memoryLimit: '1MB',
        threads: 1,
      });
      await expect(run).rejects.toThrow(/DuckDB needed more memory than --memory 1MB allows .*run again with a larger --memory .*or with --engine local/);
      expect(appended).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [11, 0],
    [12, 4],
  ])('--engine duckdb writes the same gaps, corrections and summary as --engine local (seed %i, %i digits redacted)', async (seed, redactDigits) => {
    const day = generateDay(seed, redactDigits);
    const dir = mkdtempSync(join(tmpdir(), 'sql-engine-'));
    try {
      const store = await writeArchive(dir, day.records, seed);
      // Read whole, the engines append the same corrections.
      const local = await runEngine(reconcile, store, day, redactDigits);
      const duck = await runEngine(reconcileNatively, store, day, redactDigits);
      expect(duck.summary).toEqual(local.summary);
      expect(duck.gaps).toEqual(local.gaps);
      expect(duck.appended).toEqual(local.appended);
      expect(local.summary.written).toBeGreaterThan(10);
      expect(local.gaps.length).toBeGreaterThan(20);
      // With lines whose times are no real instant, both find them malformed, alike, and so both refuse to append.
      await store.put('firehose/2026/11/25/10/s-1-2026-11-25-10-30-00-impossible', Buffer.from(`${IMPOSSIBLE_TIMES.join('\n')}\n`));
      const localPartial = await runEngine(reconcile, store, day, redactDigits);
      const duckPartial = await runEngine(reconcileNatively, store, day, redactDigits);
      expect(duckPartial.summary).toEqual(localPartial.summary);
      expect(duckPartial.gaps).toEqual(localPartial.gaps);
      expect(localPartial.summary.inputs.archive_read.malformed_lines).toBe(IMPOSSIBLE_TIMES.length);
      expect(localPartial.summary.write_refused).toMatch(/only partly read/);
      expect([localPartial.appended, duckPartial.appended]).toEqual([[], []]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Lines the readers must refuse or flag, in the first object of the window: each kind parseArchiveLine tells apart. */
  const ODD_LINES = [
    'not json at all',
    '[1,2,3]',
    '{"v":2,"source":"callback"}',
    JSON.stringify({ ...record({ source: 'callback', status: 'sent', recorded_at: '2026-11-25T10:00:00.000Z' }), message_sid: 'SModd', source: 'fax' }),
    JSON.stringify({ ...record({ source: 'callback', status: 'sent', recorded_at: '2026-11-25 10:00:00' }), message_sid: 'SModd' }),
    JSON.stringify({ ...record({ source: 'callback', status: '', recorded_at: '2026-11-25T10:00:00.000Z' }), message_sid: 'SModd' }),
    JSON.stringify({ ...record({ source: 'callback', status: 'sent', recorded_at: '2026-11-25T10:00:00.000Z' }), message_sid: null }),
    JSON.stringify({ ...record({ source: 'callback', status: 'sent', recorded_at: '2026-11-25T10:00:00.000Z' }), message_sid: 'SModd', tags: [] }),
    JSON.stringify({ ...record({ source: 'callback', status: 'sent', recorded_at: '2026-11-25T10:00:00.000Z' }), message_sid: 'SModd', problems: [] }),
    JSON.stringify({ v: 1, source: 'callback', recorded_at: '2026-11-25T10:00:00.000Z', account_sid: ACCOUNT, message_sid: 'SModd', status: 'sent' }),
    // Valid, flagged by their writer: one still names its message, one names none.
    JSON.stringify({ ...record({ source: 'callback', status: 'delivered', recorded_at: '2026-11-25T10:00:00.000Z' }), message_sid: sid(3), problems: ['odd'] }),
    JSON.stringify({ ...record({ source: 'callback', status: 'sent', recorded_at: '2026-11-25T10:00:00.000Z' }), account_sid: null, problems: ['no account'] }),
    // Debugger alerts: evidence, never folded. About a message of the day (folding it would change that message's
    // category), about no message, flagged with and without an account; and one with a status, which is malformed.
    JSON.stringify(
      record({ source: 'debugger', status: null, message_sid: sid(4), error_code: '30003', recorded_at: '2026-11-25T10:00:00.000Z', idempotency_token: 'NO1' }),
    ),
    JSON.stringify(record({ source: 'debugger', status: null, recorded_at: '2026-11-25T10:00:00.000Z', idempotency_token: 'NO2' })),
    JSON.stringify({
      ...record({ source: 'debugger', status: null, message_sid: sid(5), recorded_at: '2026-11-25T10:00:00.000Z' }),
      problems: ['Timestamp is missing'],
    }),
    JSON.stringify({
      ...record({ source: 'debugger', status: null, recorded_at: '2026-11-25T10:00:00.000Z' }),
      account_sid: null,
      problems: ['AccountSid is missing'],
    }),
    JSON.stringify(record({ source: 'debugger', status: 'failed', message_sid: sid(6), recorded_at: '2026-11-25T10:00:00.000Z' })),
    ...IMPOSSIBLE_TIMES,
    '',
  ];

  it.each([
    [21, 0, 0],
    [22, 4, 4],
    // An archive written before redaction was turned on: the SQL masks the attempts' numbers as the streaming engine does.
    [23, 0, 4],
  ])(
    "the Athena engine's SQL (run here on DuckDB over the archive's raw lines) writes the same gaps, corrections and summary as --engine local, malformed and flagged lines included (seed %i, archive with %i digits redacted, run with %i)",
    async (seed, archiveDigits, redactDigits) => {
      const day = generateDay(seed, archiveDigits);
      const dir = mkdtempSync(join(tmpdir(), 'sql-warehouse-'));
      try {
        const store = await writeArchive(dir, day.records, seed);
        const first = (await (async () => {
          for await (const object of store.list('firehose/2026/11/25/10/')) return object.key;
        })())!;
        const body = await new Promise<string>((resolve) => {
          void store.open(first).then((stream) => {
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          });
        });
        // An alert about a message the day leaves with a gap, so that both engines must quote it in that gap.
        const probe = (await runEngine(reconcile, store, day, redactDigits)).gaps.map((line) => JSON.parse(line) as Gap);
        const gapSid = probe.find((g) => g.category === 'status_behind' || g.category === 'missing')!.message_sid!;
        const gapAlert = JSON.stringify(
          record({
            source: 'debugger',
            status: null,
            message_sid: gapSid,
            error_code: '30005',
            recorded_at: '2026-11-25T10:00:00.000Z',
            idempotency_token: 'NO3',
            params: { Level: 'ERROR' },
          }),
        );
        await store.put(first, Buffer.from(body + [...ODD_LINES.slice(0, -1), gapAlert, gapAlert, ''].join('\n') + '\n'));
        const warehouse = await DuckDbWarehouse.over(dir, `${store.description}/`);
        try {
          const local = await runEngine(reconcile, store, day, redactDigits);
          const athena = await runEngine((options) => reconcileInWarehouse({ ...options, warehouse }), store, day, redactDigits);
          const { warehouse: cost, ...summary } = athena.summary as typeof athena.summary & { warehouse: unknown };
          expect(summary).toEqual(local.summary);
          expect(athena.gaps).toEqual(local.gaps);
          expect(athena.appended).toEqual(local.appended);
          expect(cost).toMatchObject({ queries: expect.any(Array), bytes_scanned: 0 });
          // The odd lines were there to be found, and each is reported where it is.
          expect(local.summary.inputs.archive_read.malformed_lines).toBe(11 + IMPOSSIBLE_TIMES.length);
          expect(local.summary.inputs.archive_read.flagged_records).toBe(4);
          expect(local.summary.inputs.archive_read.unattributable_records).toBe(2);
          // The attributable alerts about messages (one flagged; the gap's, delivered twice, once) are read by both engines alike.
          expect(local.summary.debugger_alerts).toMatchObject({
            archived: 3,
            gaps: expect.arrayContaining([expect.objectContaining({ message_sid: gapSid })]),
          });
          const quoted = local.gaps.map((line) => JSON.parse(line) as Gap).find((g) => g.message_sid === gapSid)!;
          expect(quoted.evidence.debugger_alerts).toContainEqual({ alert_sid: 'NO3', at: null, level: 'error', error_code: '30005' });
          // Read only in part (the malformed lines): both engines refuse to append, alike (issue 22, item 3).
          expect(local.summary.partial).toBe(true);
          expect(local.summary.written).toBe(0);
          expect(local.summary.write_refused).toMatch(/the archive was only partly read \(firehose\/.*Nothing was appended.*--accept-partial-read/);
          expect(local.gaps.length).toBeGreaterThan(0);
          // Parameters are bound, never spliced: no statement carries the window or the run in its text.
          for (const statement of warehouse.statements) expect(statement).not.toContain('2026-11-25T00:00:00');
        } finally {
          await warehouse.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.each([
    [41, 0],
    [42, 4],
  ])(
    "the Athena engine's SQL reads the Kinesis path's CloudEvents as --engine local reads them: the same gaps, corrections and summary, hostile events included (seed %i, %i digits redacted)",
    async (seed, redactDigits) => {
      const day = generateDay(seed, redactDigits);
      const events = asEvents(day, seed, 0.3);
      const dir = mkdtempSync(join(tmpdir(), 'sql-events-'));
      try {
        const store = await writeArchive(dir, day.records, seed, events);
        const bothAgree = async () => {
          const warehouse = await DuckDbWarehouse.over(dir, `${store.description}/`);
          try {
            const local = await runEngine(reconcile, store, day, redactDigits);
            const athena = await runEngine((options) => reconcileInWarehouse({ ...options, warehouse }), store, day, redactDigits);
            const { warehouse: cost, ...summary } = athena.summary as typeof athena.summary & { warehouse: unknown };
            expect(summary).toEqual(local.summary);
            expect(athena.gaps).toEqual(local.gaps);
            expect(athena.appended).toEqual(local.appended);
            expect(cost).toMatchObject({ bytes_scanned: 0 });
            // DuckDB reading the files itself (event_lines too) agrees as well.
            expectAlike(await runEngine(reconcileNatively, store, day, redactDigits), local);
            return local;
          } finally {
            await warehouse.close();
          }
        };
        // Well-formed events in place of a third of the callbacks: read whole, so both engines append the same corrections.
        expect(events.length).toBeGreaterThan(100);
        const clean = await bothAgree();
        expect(clean.summary.written).toBeGreaterThan(10);
        expect(clean.summary.inputs.archive_read).toMatchObject({ malformed_lines: 0, flagged_records: 0 });

        // Hostile events beside them (in an object Firehose named, and in one named by hand): malformed, flagged and
        // unattributable lines counted and reported alike, numbers masked alike.
        const hostile = hostileEventLines(0x5000);
        await store.put('events/2026/11/25/10/e-1-2026-11-25-10-30-00-hostile', Buffer.from(`${hostile.join('\n')}\n`));
        await store.put('events/2026/11/25/11/copied-by-hand.ndjson', Buffer.from(`${hostile.join('\n')}\n`));
        const partial = await bothAgree();
        expect(partial.summary.inputs.archive_read.malformed_lines).toBeGreaterThan(2);
        expect(partial.summary.inputs.archive_read.unattributable_records).toBeGreaterThan(10);
        expect(partial.summary.inputs.archive_read.flagged_records).toBeGreaterThan(40);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  /** The body of an object of the store, as stored. */
  async function bodyOf(store: FolderArchiveStore, key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.open(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it.each([
    [51, 0],
    [52, 4],
  ])(
    'DuckDB reading the archive itself writes the same gaps, corrections and summary as --engine local, objects DuckDB would misread included (seed %i, %i digits redacted)',
    async (seed, redactDigits) => {
      const day = generateDay(seed, redactDigits);
      const dir = mkdtempSync(join(tmpdir(), 'sql-native-'));
      try {
        const store = await writeArchive(dir, day.records, seed);
        const clean = async () => {
          const local = await runEngine(reconcile, store, day, redactDigits);
          expectAlike(await runEngine(reconcileNatively, store, day, redactDigits), local);
          return local;
        };
        const whole = await clean();
        expect(whole.summary.written).toBeGreaterThan(10);

        // Real lines of the day, in objects each damaged in a way DuckDB's own reader passes over without a word (a
        // truncated gzip, a line over its max_line_size, a carriage return) or stops the whole query on (corrupt
        // gzip, not UTF-8), beside text it must read as text (tabs, quotes, control characters inside strings).
        let first = '';
        for await (const object of store.list('firehose/2026/11/25/10/')) {
          first ||= object.key;
        }
        const lines = (await bodyOf(store, first)).toString('utf8').split('\n').filter(Boolean);
        const some = (from: number, n: number) => lines.slice(from, from + n);
        const text = (rows: string[]) => Buffer.from(`${rows.join('\n')}\n`);
        const gz = (rows: string[]) => gzipSync(text(rows));
        const cut = gz(some(0, 40));
        const corrupt = Buffer.from(gz(some(40, 40)));
        corrupt.fill(0x55, 40, 60);
        const huge = JSON.parse(lines[3]) as { tags: Record<string, unknown> };
        huge.tags.note = 'x'.repeat(1_200_000);
        const hostile: [string, Buffer][] = [
          ['truncated-gzip.gz', cut.subarray(0, Math.floor(cut.length / 2))],
          ['corrupt-gzip.gz', corrupt],
          ['carriage-returns', Buffer.from(`${lines[5]}\r\n${lines[6]}\r${lines[7]}\n${lines[8].replace('{', '{\r')}\n`)],
          ['not-utf8', Buffer.concat([text(some(10, 3)), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), text(some(13, 3))])],
          ['nul', Buffer.concat([text(some(16, 2)), Buffer.from('{"v":1}\u0000\n'), text(some(18, 2))])],
          ['bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(some(20, 3))])],
          ['huge-line', text([JSON.stringify(huge), ...some(23, 2)])],
          ['gzip-then-zeros.gz', Buffer.concat([gz(some(25, 3)), Buffer.alloc(16)])],
          ['gzip-then-bytes.gz', Buffer.concat([gz(some(28, 3)), Buffer.from('garbage')])],
          ['two-members.gz', Buffer.concat([gz(some(31, 3)), gz(some(34, 3))])],
          ['gzip-named-plain', gz(some(37, 3))],
          ['odd-text', text(['\t{"tab":"a\tb"}', '"quoted", "commas"', '\u0001\u0002', lines[39].replace('}', ',"q":"\\"\\t\\u0001"}')])],
          // What DuckDB's JSON reader and trim() take more loosely than JSON.parse and the streaming reader (a review's findings).
          ['trailing-comma', text([lines[40].replace(/}$/, ',}'), ...some(41, 2)])],
          ['nan', text([lines[43].replace('"v":1,', '"v":1,"x":NaN,'), ...some(44, 2)])],
          ['v-1.0', text([lines[46].replace('"v":1,', '"v":1.0,'), ...some(47, 2)])],
          ['tab-line', text([...some(49, 2), '\t', ...some(51, 2)])],
          ['u2028-line', text([...some(53, 2), '\u2028', ...some(55, 2)])],
          // Text DuckDB must read as text, escaped as the writers escape it: quotes, tabs, control characters, commas.
          [
            'escaped-text',
            text(some(57, 3).map((line) => line.replace('"tags":{', `"tags":{"note":${JSON.stringify('a "quoted" \t tab, \u0001 ctl, ] bracket \\ slash')},`))),
          ],
        ];
        for (const [name, body] of hostile) await store.put(`firehose/2026/11/25/10/s-1-2026-11-25-10-31-00-${name}`, body);
        // A link in a folder archive: refused and reported by both, never followed, never fatal (a review's finding).
        symlinkSync(join(dir, first), join(dir, 'firehose/2026/11/25/10/s-1-2026-11-25-10-31-00-symlink'));
        // More than 20 objects with a malformed line each: every one named, as --engine local names them (the same review).
        for (let n = 0; n < 22; n++) await store.put(`firehose/2026/11/25/11/s-1-2026-11-25-11-31-00-malformed-${n}`, text([lines[n], 'not json']));
        const damaged = await clean();
        expect(damaged.summary.partial).toBe(true);
        expect(damaged.summary.inputs.archive_read.corrupt_objects).toBeGreaterThanOrEqual(2);
        expect(damaged.summary.write_refused).toMatch(/only partly read/);
        // The gate sends the misread kinds to the project's reader, and leaves the rest to DuckDB.
        const warehouse = await NativeDuckDbWarehouse.open({ store, layout: DEFAULT_ARCHIVE_LAYOUT, from: new Date(FROM), to: new Date(TO), redactDigits });
        try {
          for (const name of [
            'truncated-gzip.gz',
            'corrupt-gzip.gz',
            'carriage-returns',
            'not-utf8',
            'nul',
            'bom',
            'huge-line',
            'gzip-then-bytes.gz',
            'symlink',
            'odd-text',
            'malformed-0',
            'trailing-comma',
            'nan',
            'v-1.0',
            'tab-line',
            'u2028-line',
          ])
            expect([...warehouse.oddReads.keys()].some((path) => path.endsWith(`-${name}`))).toBe(true);
          for (const name of ['two-members.gz', 'gzip-named-plain', 'escaped-text'])
            expect([...warehouse.oddReads.keys()].some((path) => path.endsWith(`-${name}`))).toBe(false);
        } finally {
          await warehouse.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.each([
    [31, 0, true, false],
    [32, 4, true, false],
    [33, 0, false, false],
    [34, 4, false, true],
  ])(
    "poll-stale's SQL (the Athena engine's, run here on DuckDB) finds the same stale messages as the streaming poller, and the run appends the same poll records (seed %i, %i digits redacted, dry run %s, Kinesis-path events %s)",
    async (seed, redactDigits, dryRun, withEvents) => {
      const day = generateDay(seed, redactDigits);
      // A third of the callbacks as CloudEvents, and hostile events beside them.
      const events = withEvents ? [...asEvents(day, seed, 0.3), ...hostileEventLines(0x5000).map((line) => ({ arrival: FROM + 10 * 3_600_000, line }))] : [];
      // On the edges: created at --since (in) and at --until (out), one millisecond before --since (out); silent exactly 12 h (stale) and a millisecond less (fresh).
      const edge = (n: number, createdMs: number, lastHeardMs: number) => [
        record({ source: 'send', status: 'queued', message_sid: sid(n), recorded_at: iso(createdMs + 500), event_at: iso(createdMs) }),
        record({ source: 'callback', status: 'sent', message_sid: sid(n), recorded_at: iso(lastHeardMs), event_at: null }),
      ];
      const silentSince = TO + 3_600_000;
      day.records.push(
        ...edge(9001, FROM, silentSince),
        ...edge(9002, FROM + MIN, silentSince + 1),
        ...edge(9003, TO, silentSince - MIN),
        ...edge(9004, FROM - 1, silentSince - MIN),
        ...edge(9005, TO - 1, silentSince - MIN),
      );
      const dir = mkdtempSync(join(tmpdir(), 'sql-stale-'));
      try {
        const store = await writeArchive(dir, day.records, seed, events);
        const warehouse = await DuckDbWarehouse.over(dir, `${store.description}/`);
        try {
          // Twilio answers each fetch from its list; a message it does not list is a 404.
          const rows = new Map(day.rows.map((row) => [row.sid, row]));
          const fetcher: MessageFetcher = {
            fetch: async (accountSid, sid) => {
              const row = rows.get(sid);
              if (!row) return { found: false, answer: { status: 404, message: 'not found' } };
              return {
                found: true,
                resource: {
                  sid,
                  account_sid: accountSid,
                  status: row.status,
                  to: row.to,
                  from: row.from,
                  date_created: row.dateCreated,
                  error_code: null,
                },
              };
            },
          };
          const run = async (engine: (options: PollOptions) => Promise<unknown>) => {
            const appended: string[] = [];
            const summary = (await engine({
              store,
              layout: DEFAULT_ARCHIVE_LAYOUT,
              allowEmpty: false,
              criteria: { now: new Date(TO + 13 * 3_600_000), olderThanMs: 12 * 3_600_000, since: new Date(FROM), until: new Date(TO) },
              slackMs: 15 * MIN,
              fetcher,
              appender: dryRun ? null : { description: 'memory', append: async (lines) => void appended.push(...lines) },
              concurrency: 4,
              redactDigits,
              now: () => new Date('2026-11-26T13:00:00.000Z'),
            })) as Record<string, unknown>;
            const timeless: Record<string, unknown> = { ...summary, duration_ms: 0 };
            return { summary: timeless, appended: appended.sort() };
          };
          const local = await run(pollStale);
          const athena = await run((options) => pollStaleInWarehouse({ ...options, warehouse }));
          const { warehouse: cost, ...summary } = athena.summary;
          expect(summary).toEqual(local.summary);
          expect(athena.appended).toEqual(local.appended);
          expect(cost).toMatchObject({ queries: [expect.any(Object), expect.any(Object)] });
          // Enough of each kind to mean something: stale messages, and others not stale.
          const counts = local.summary.counts as { messages: number; stale: number };
          expect(counts.stale).toBeGreaterThan(10);
          expect(counts.messages - counts.stale).toBeGreaterThan(100);
          if (!dryRun) expect(local.appended.length).toBe(counts.stale);
          const staleSids = (local.summary.needs_attention as { message_sid: string }[]).map((a) => a.message_sid);
          expect([9001, 9002, 9003, 9004, 9005].filter((n) => staleSids.includes(sid(n)))).toEqual([9001, 9005]);
        } finally {
          await warehouse.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
