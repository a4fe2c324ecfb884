/**
 * The reconciliation end to end, through its CLI: an archive holding one
 * message of every kind, Twilio's list as a Console CSV and as a Bulk Export
 * day file, every category found with its evidence, --write twice (the
 * second run writes nothing), and corrupt input never exiting 0.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import { directObjectKey, firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import type { Gap, ReconcileSummary } from '../../src/reconcile/reconcile';
import { pixelsOfColor, screenshot } from '../helpers/chromium';
import { runScript } from '../helpers/runScript';
import type { WarehouseSummary } from '../../src/reconcile/warehouseReconcile';
import { startAthenaStandIn, type AthenaStandIn } from '../helpers/fakeAthena';
import { readObjects, startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const DAY = '2026-11-25';
const T = (hhmm: string, extraMs = 0) => new Date(Date.parse(`${DAY}T${hhmm}:00.000Z`) + extraMs).toISOString();
const sid = (name: string) => `SM${Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32)}`;

const S = {
  ok: sid('ok'),
  okAhead: sid('ahead'),
  pending: sid('pending'),
  missing: sid('missing'),
  behind: sid('behind'),
  conflict: sid('conflict'),
  lateCallback: sid('late'),
  redactedMatch: sid('matched'),
  ambiguousA: sid('ambigA'),
  ambiguousB: sid('ambigB'),
  unknown: sid('unknown'),
  nextDay: sid('nextday'),
};

function rec(source: ArchiveRecord['source'], messageSid: string | null, status: string, at: string, extra: Partial<ArchiveRecord> = {}): ArchiveRecord {
  return {
    v: 1,
    source,
    recorded_at: at,
    event_at: source === 'send' || source === 'send_error' ? at : null,
    account_sid: ACCOUNT,
    message_sid: messageSid,
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+14155550100',
    from: '+15005550006',
    idempotency_token: null,
    tags: {},
    params: {},
    ...extra,
  };
}

/** The archive, redacting the last 4 digits as a deployment with ARCHIVE_REDACT_DIGITS=4 would. */
const archive: ArchiveRecord[] = [
  rec('send', S.ok, 'queued', T('01:00')),
  rec('callback', S.ok, 'delivered', T('01:01')),
  rec('callback', S.ok, 'delivered', T('01:01')), // duplicate
  rec('callback', S.ok, 'sent', T('01:02')), // late and out of order
  rec('send', S.okAhead, 'queued', T('02:00')),
  rec('callback', S.okAhead, 'read', T('02:05')),
  rec('send', S.pending, 'queued', T('23:50')),
  rec('send', S.behind, 'queued', T('03:00')),
  rec('callback', S.behind, 'sent', T('03:01')),
  rec('send', S.conflict, 'queued', T('04:00')),
  rec('callback', S.conflict, 'delivered', T('04:01')),
  rec('send', S.lateCallback, 'queued', T('05:00')),
  // Delivered, but the callback arrived two days later: beyond the window's end plus the 24h slack, so not seen.
  rec('callback', S.lateCallback, 'delivered', T('05:00', 50 * 3_600_000)),
  rec('send_error', null, 'failed', T('06:00'), { to: '+1415555****', tags: { client_ref: 'ref-matched', order_id: '7' } }),
  rec('send_error', null, 'failed', T('07:00'), { to: '+1415555****', tags: { client_ref: 'ref-ambiguous' } }),
  rec('send_error', null, 'failed', T('08:00'), { to: '+1415555****', tags: { client_ref: 'ref-nothing' } }),
  rec('send', S.unknown, 'queued', T('09:00')),
  rec('send', S.nextDay, 'queued', '2026-11-26T00:00:00.000Z'),
  // Twilio's Debugger on the conflicting message (a gap) and on an ok one: only the gap quotes its alert.
  {
    ...rec('debugger', S.conflict, 'x', T('04:02'), {
      idempotency_token: 'NO0conflict',
      error_code: '30003',
      event_at: T('04:02'),
      params: { Level: 'ERROR' },
    }),
    status: null,
  },
  { ...rec('debugger', S.ok, 'x', T('01:03'), { idempotency_token: 'NO0ok', error_code: '30007', params: { Level: 'WARNING' } }), status: null },
];

/** Twilio's list for the day (full numbers; the archive redacted its copies). */
const twilioRows = [
  [S.ok, 'delivered', '+14155550101', T('01:00')],
  [S.okAhead, 'delivered', '+14155550102', T('02:00')],
  [S.pending, 'sent', '+14155550103', T('23:50')],
  [S.missing, 'delivered', '+14155550104', T('10:00')],
  [S.behind, 'delivered', '+14155550105', T('03:00')],
  [S.conflict, 'undelivered', '+14155550106', T('04:00')],
  [S.lateCallback, 'delivered', '+14155550107', T('05:00')],
  [S.redactedMatch, 'delivered', '+14155550108', T('06:02')],
  [S.ambiguousA, 'delivered', '+14155550109', T('07:01')],
  [S.ambiguousB, 'sent', '+14155550110', T('07:03')],
] as const;

function consoleCsv(): string {
  const header = '\uFEFFSid,From,To,Body,Status,SentDate,ErrorCode,Direction,AccountSid,NumSegments';
  const lines = twilioRows.map(
    ([s, status, to, at], i) =>
      `${s},+15005550006,${to},"Body ${i}, with a comma\r\nand a newline",${status},${at},${status === 'undelivered' ? '30003' : ''},outbound-api,${ACCOUNT},1`,
  );
  lines.push(`${sid('inbound')},+14155550999,+15005550006,hi,received,${T('11:00')},,inbound,${ACCOUNT},1`);
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

function bulkExport(): Buffer {
  const lines = twilioRows.map(([s, status, to, at]) =>
    JSON.stringify({
      sid: s,
      account_sid: ACCOUNT,
      status,
      to,
      from: '+15005550006',
      date_created: at,
      date_sent: at,
      direction: 'outbound-api',
      error_code: status === 'undelivered' ? 30003 : null,
    }),
  );
  return gzipSync(`${lines.join('\n')}\n`);
}

async function writeArchive(dir: string): Promise<void> {
  const store = new FolderArchiveStore(dir);
  for (const [i, r] of archive.entries()) {
    const redacted = { ...r, to: r.to && r.to.length === 12 && !r.to.includes('*') ? `${r.to.slice(0, 8)}****` : r.to };
    await store.put(
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: new Date(r.recorded_at), uuid: `u${i}`, gzip: i % 2 === 0 }),
      i % 2 === 0 ? gzipSync(toArchiveLine(redacted)) : Buffer.from(toArchiveLine(redacted)),
    );
  }
}

const run = (args: string[], env: Record<string, string> = {}) => runScript('scripts/reconcile.ts', args, { ARCHIVE_REDACT_DIGITS: '4', ...env });

function results(out: string): { summary: ReconcileSummary; gaps: Gap[] } {
  return {
    summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ReconcileSummary,
    gaps: readFileSync(join(out, 'gaps.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Gap),
  };
}

describe('reconcile end to end', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
    await writeArchive(join(dir, 'archive'));
    writeFileSync(join(dir, 'messages.csv'), consoleCsv());
    writeFileSync(join(dir, 'day.json.gz'), bulkExport());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['messages.csv', 'day.json.gz'])('finds every category, with evidence, from %s', async (exportFile) => {
    const out = join(dir, 'out');
    const result = await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', join(dir, exportFile), '--out', out]);
    expect(result.stderr).not.toMatch(/cannot proceed/);
    expect(result.code).toBe(1);
    const { summary, gaps } = results(out);
    expect(summary.counts).toMatchObject({
      twilio_messages: 10,
      ok: 2,
      pending: 1,
      // The status dimension counts the envelope candidates too: no record of theirs has a SID.
      missing: 4,
      status_behind: 2,
      status_conflict: 1,
      matched_by_envelope: 1,
      ambiguous_envelope: 1,
      unmatched_send_error: 1,
      unknown_to_twilio: 1,
      send_errors: 3,
    });
    expect(summary.partial).toBe(false);
    const bySid = (s: string) => gaps.filter((g) => g.message_sid === s).map((g) => g.category);
    expect(bySid(S.missing)).toEqual(['missing']);
    expect(bySid(S.redactedMatch)).toEqual(['matched_by_envelope', 'missing']);
    expect(bySid(S.behind)).toEqual(['status_behind']);
    expect(bySid(S.lateCallback)).toEqual(['status_behind']);
    expect(bySid(S.conflict)).toEqual(['status_conflict']);
    expect(bySid(S.unknown)).toEqual(['unknown_to_twilio']);
    expect(bySid(S.nextDay)).toEqual([]);
    expect(bySid(S.ok)).toEqual([]);
    const matched = gaps.find((g) => g.category === 'matched_by_envelope')!;
    expect(matched.message_sid).toBe(S.redactedMatch);
    expect(matched.evidence.attempt).toMatchObject({ client_ref: 'ref-matched', tags: { order_id: '7' }, to: '+1415555****' });
    const ambiguous = gaps.find((g) => g.category === 'ambiguous_envelope')!;
    expect((ambiguous.evidence.candidates as { sid: string }[]).map((c) => c.sid).sort()).toEqual([S.ambiguousA, S.ambiguousB].sort());
    expect(gaps.find((g) => g.message_sid === S.conflict)?.evidence).toMatchObject({
      archive: { status: 'delivered' },
      twilio: { status: 'undelivered', error_code: '30003' },
    });
    expect(result.stdout).toMatch(/gap\(s\) remain/);
    expect(gaps.find((g) => g.message_sid === S.conflict)?.evidence.debugger_alerts).toEqual([
      { alert_sid: 'NO0conflict', at: T('04:02'), level: 'error', error_code: '30003' },
    ]);
    expect(gaps.some((g) => g.message_sid === S.ok)).toBe(false);
    expect(summary.debugger_alerts).toMatchObject({ archived: 2, gaps_with_alerts: 1 });
    expect(result.stdout).toContain('Debugger alerts: 2 about messages in the window; 1 gap(s) quote some');
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('Debugger alerts on messages with gaps (1)');
    expect(page).toContain(S.conflict);
  });

  it('--memory takes a size for --engine duckdb, and is refused elsewhere or misspelt (exit 2, nothing read)', async () => {
    const args = (...more: string[]) => [
      '--archive',
      join(dir, 'archive'),
      '--day',
      DAY,
      '--export',
      join(dir, 'messages.csv'),
      '--out',
      join(dir, 'out-memory'),
      ...more,
    ];
    const misspelt = await run(args('--engine', 'duckdb', '--memory', '500 megs'));
    expect({ code: misspelt.code, stderr: misspelt.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining('--memory must be a size such as 500MB or 4GB, not "500 megs"'),
    });
    const elsewhere = await run(args('--memory', '1GB'));
    expect({ code: elsewhere.code, stderr: elsewhere.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('--memory is for --engine duckdb') });
    expect(existsSync(join(dir, 'out-memory', 'summary.json'))).toBe(false);
  });

  it('--engine duckdb writes what --engine local writes', async () => {
    const outputs = [];
    for (const engine of ['local', 'duckdb']) {
      const out = join(dir, `out-${engine}`);
      const result = await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', join(dir, 'messages.csv'), '--out', out, '--engine', engine]);
      expect({ engine, code: result.code }).toEqual({ engine, code: 1 });
      const { summary, gaps } = results(out);
      outputs.push({ summary: { ...summary, duration_ms: 0 }, gaps: gaps.map((g) => JSON.stringify(g)).sort() });
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0].gaps.length).toBeGreaterThan(5);
  });

  describe('--engine athena, against S3 (s3rver) and a stand-in Athena over HTTP', () => {
    let s3: S3rverHandle;
    let standing: AthenaStandIn | undefined;
    beforeAll(async () => {
      s3 = await startS3rver(['archive', 'athena-results']);
    });
    afterAll(async () => {
      await s3.stop();
    });
    afterEach(async () => {
      await standing?.close();
      standing = undefined;
    });

    /** The folder archive copied into the bucket, and the stand-in started over the same objects; small result pages, so that the engine must follow NextToken. */
    async function standIn(options: { scanLimit?: number | null; failWith?: string; neverFinish?: boolean } = {}): Promise<Record<string, string>> {
      standing = await startAthenaStandIn(join(dir, 'archive'), s3, { ...options, pageRows: 3 });
      return standing.env;
    }
    const athena = () => standing!.athena;

    const s3Args = (out: string, engine: string, ...more: string[]) => [
      '--archive',
      's3://archive/',
      '--day',
      DAY,
      '--export',
      join(dir, 'messages.csv'),
      '--out',
      out,
      '--engine',
      engine,
      ...more,
    ];
    const athenaArgs = (out: string, ...more: string[]) => s3Args(out, 'athena', ...more);

    it('--engine duckdb over s3:// stages the window in a temporary folder, writes what --engine local writes, and leaves nothing behind', async () => {
      const env = await standIn();
      const local = join(dir, 'out-local-s3');
      expect((await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', join(dir, 'messages.csv'), '--out', local])).code).toBe(1);
      const tmp = mkdtempSync(join(tmpdir(), 'duckdb-tmp-'));
      const out = join(dir, 'out-duckdb-s3');
      const result = await run(s3Args(out, 'duckdb', '--memory', '200MB', '--threads', '1'), { ...env, TMPDIR: tmp });
      expect(result.stderr).not.toMatch(/cannot proceed|Error/);
      expect(result.code).toBe(1);
      const expected = results(local);
      const got = results(out);
      expect(got.gaps.map((g) => JSON.stringify(g)).sort()).toEqual(expected.gaps.map((g) => JSON.stringify(g)).sort());
      expect({ ...got.summary, duration_ms: 0, inputs: { ...got.summary.inputs, archive: '' } }).toEqual({
        ...expected.summary,
        duration_ms: 0,
        inputs: { ...expected.summary.inputs, archive: '' },
      });
      // The staged copies and DuckDB's spill folder (archive-duckdb-…) are removed at the end of the run; ts-node's cache may stay.
      expect(readdirSync(tmp).filter((name) => !name.startsWith('v8-compile-cache'))).toEqual([]);
      rmSync(tmp, { recursive: true, force: true });
    });

    it('writes what --engine local writes, corrections included, with the bytes scanned and the cost in the summary', async () => {
      const env = await standIn();
      const local = join(dir, 'out-local');
      // The fixture holds one message of each kind, so 4 of its 10 are missing: far above the default 5%, said deliberately.
      const write = ['--write', '--append', 'archive', '--max-missing-share', '0.5'];
      const localRun = await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', join(dir, 'messages.csv'), '--out', local, ...write]);
      expect(localRun.code).toBe(1);
      const out = join(dir, 'out-athena');
      const result = await run(athenaArgs(out, ...write), env);
      expect(result.stderr).not.toMatch(/cannot proceed/);
      expect(result.code).toBe(1);
      const expected = results(local);
      const got = results(out);
      expect(got.gaps.map((g) => JSON.stringify(g)).sort()).toEqual(expected.gaps.map((g) => JSON.stringify(g)).sort());
      const { warehouse: cost, ...summary } = got.summary as ReconcileSummary & { warehouse: WarehouseSummary };
      expect({ ...summary, duration_ms: 0, inputs: { ...summary.inputs, archive: '' } }).toEqual({
        ...expected.summary,
        duration_ms: 0,
        inputs: { ...expected.summary.inputs, archive: '' },
      });
      // The census, four category statements, the Debugger alerts.
      expect(cost.queries).toHaveLength(6);
      expect(cost.bytes_scanned).toBe(6 * 1_234_567);
      // Each query under 10 MB is billed as 10 MB, at $5 a TB.
      expect(cost.cost_usd).toBeCloseTo(6 * ((10 * 1024 ** 2) / 1024 ** 4) * 5, 12);
      expect(result.stdout).toMatch(/athena workgroup message-archive, database message_archive \(scan limit 100 GiB a query\): 6 queries scanned/);
      // The page an auditor files says where the categories were decided, and which queries did it.
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(
        /Decided by athena workgroup message-archive, .*: 6 queries \(fake-\d, fake-\d, fake-\d, fake-\d, fake-\d, fake-\d\) scanned 0\.007 GiB, about \$0\.0003\./,
      );
      // Every statement went with its parameters bound, in the workgroup and database asked for; none carries the run or the window.
      for (const started of athena().started) {
        expect(started).toMatchObject({ WorkGroup: 'message-archive', Database: 'message_archive' });
        expect(started.ExecutionParameters!.length).toBeGreaterThanOrEqual(3);
        expect(started.QueryString).not.toMatch(/2026-11-25T|twilio-lists/);
      }
      // The same corrections, appended into the archive in S3 (their recorded_at is each run's own time).
      expect(summary.written).toBeGreaterThan(3);
      const corrections = (lines: string[]) =>
        lines
          .filter(Boolean)
          .map((line) => JSON.stringify({ ...(JSON.parse(line) as Record<string, unknown>), recorded_at: '' }))
          .sort();
      const localDirect: string[] = [];
      for await (const object of new FolderArchiveStore(join(dir, 'archive')).list('direct/'))
        localDirect.push(...readFileSync(join(dir, 'archive', object.key), 'utf8').split('\n'));
      const s3Direct = (await readObjects(s3.client, 'archive', 'direct/')).flatMap((o) => o.text.split('\n'));
      expect(corrections(s3Direct)).toEqual(corrections(localDirect));
      expect(corrections(s3Direct)).toHaveLength(summary.written);
      // Twilio's list was staged masked, as the archive is: no full number leaves the machine.
      const staged = await readObjects(s3.client, 'athena-results', 'twilio-lists/');
      expect(staged.length).toBe(1);
      expect(staged[0].key).toMatch(/^twilio-lists\/[0-9a-f-]{36}\/part-00001\.ndjson\.gz$/);
      expect(staged[0].text).toMatch(/"to_number":"\+1415555\*\*\*\*"/);
      expect(staged[0].text).not.toMatch(/\+1415555\d{4}/);
    });

    it('refuses a workgroup without a bytes-scanned limit unless the cost is accepted (exit 2, no query started)', async () => {
      const env = await standIn({ scanLimit: null });
      const refused = await run(athenaArgs(join(dir, 'refused')), env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/no bytes-scanned limit per query.*--i-accept-cost/s);
      expect(athena().started).toHaveLength(0);
      expect(existsSync(join(dir, 'refused'))).toBe(false);
      const accepted = await run(athenaArgs(join(dir, 'accepted'), '--i-accept-cost'), env);
      expect(accepted.code).toBe(1);
      expect(accepted.stdout).toMatch(/no scan limit \(cost accepted\)/);
    });

    it('a failed query is exit 2 with its reason, and no gaps or summary are left behind', async () => {
      const env = await standIn({ failWith: 'HIVE_CURSOR_ERROR: Row is not a valid JSON Object' });
      const out = join(dir, 'failed');
      const result = await run(athenaArgs(out), env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/failed: HIVE_CURSOR_ERROR: Row is not a valid JSON Object/);
      expect(existsSync(join(out, 'summary.json'))).toBe(false);
      expect(existsSync(join(out, 'gaps.ndjson'))).toBe(false);
    });

    it('Ctrl-C stops every running query at Athena, and the run ends with exit 2 and no results', async () => {
      const env = await standIn({ neverFinish: true });
      const out = join(dir, 'interrupted');
      let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
      const running = runScript('scripts/reconcile.ts', athenaArgs(out), { ARCHIVE_REDACT_DIGITS: '4', ...env }, (c) => (child = c));
      // Interrupted once all five statements run.
      while (athena().started.length < 5) await new Promise((resolve) => setTimeout(resolve, 50));
      child!.kill('SIGINT');
      const result = await running;
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/interrupted: query fake-\d was stopped at Athena/);
      expect(athena().stopped.sort()).toEqual(['fake-1', 'fake-2', 'fake-3', 'fake-4', 'fake-5', 'fake-6']);
      expect(existsSync(join(out, 'summary.json'))).toBe(false);
    });

    it('is refused over a local folder: Athena reads the archive in S3', async () => {
      const result = await run([
        '--archive',
        join(dir, 'archive'),
        '--day',
        DAY,
        '--export',
        join(dir, 'messages.csv'),
        '--out',
        join(dir, 'x'),
        '--engine',
        'athena',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--archive must be its s3:\/\/ root/);
    });
  });

  it('writes a self-contained HTML report whose charts render in headless Chromium', async () => {
    const out = join(dir, 'out');
    await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', join(dir, 'messages.csv'), '--out', out]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // Self-contained: nothing to fetch, nothing to run.
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);
    expect(html).toMatch(/9 gap\(s\) remain/);
    const image = await screenshot(join(out, 'report.html'));
    const white = pixelsOfColor(image, '#ffffff', 2);
    expect(white).toBeLessThan(image.width * image.height * 0.99);
    // Bars of each colour the charts use: delivered (green), undelivered and gaps (red), lag (blue), behind (orange).
    for (const color of ['#2e7d32', '#c62828', '#1565c0', '#ef6c00']) expect(pixelsOfColor(image, color)).toBeGreaterThan(200);
    // The findings, each in words with its meaning, as a compliance officer reads them.
    // Every finding, the match by envelope included (it explains an attempt, so it is no gap that remains).
    expect(html).toContain('Findings (10)');
    expect(html).toContain(
      `<code>${S.conflict}</code></td><td>The archive says \`delivered\` (last recorded at 2026-11-25 04:01:00 UTC); Twilio says \`undelivered\`, error 30003 (Unreachable destination handset). Both are final and differ: a person compares them.`,
    );
    expect(html).toContain('Twilio&#39;s Debugger: error 30003 (Unreachable destination handset) at 2026-11-25 04:02:00 UTC.');
    expect(html).toMatch(/A send attempt to \+1415555\*\*\*\* at 2026-11-25 06:00:00 UTC \(client reference ref-matched\) got no SID back/);
    expect(html).toContain('client_ref=ref-matched order_id=7');
    expect(html).toContain('30003 (Unreachable destination handset)</text>');
    // At a laptop's width the findings' tables are on the page, their header rows drawn across it.
    const laptop = await screenshot(join(out, 'report.html'), 1366, 3200);
    expect(pixelsOfColor(laptop, '#e8eef5', 2)).toBeGreaterThan(6 * 1000);
  });

  it('with --write appends corrections once: a second run writes nothing', async () => {
    // The fixture holds one message of each kind, so 4 of its 10 are missing: far above the default 5%, said deliberately.
    const args = [
      '--archive',
      join(dir, 'archive'),
      '--day',
      DAY,
      '--export',
      join(dir, 'messages.csv'),
      '--write',
      '--append',
      'archive',
      '--max-missing-share',
      '40%',
    ];
    const first = await run([...args, '--out', join(dir, 'out1')]);
    const one = results(join(dir, 'out1'));
    // Three missing, two behind, and one match (whose record also gives its message a status).
    expect(one.summary.written).toBe(6);
    expect(one.summary.gaps_remaining).toBe(3); // conflict, ambiguous, unknown: for a person
    expect(first.code).toBe(1);
    // The page says what each correction was.
    const page = readFileSync(join(dir, 'out1', 'report.html'), 'utf8');
    expect(page).toContain(
      `<code>${S.missing}</code></td><td>The archive holds nothing for this message; Twilio says \`delivered\`.</td><td></td><td>appended: Twilio&#39;s \`delivered\` recorded</td>`,
    );
    expect(page).toContain('appended: the SID recorded against the attempt');
    const second = await run([...args, '--out', join(dir, 'out2')]);
    const two = results(join(dir, 'out2'));
    expect(two.summary.written).toBe(0);
    expect(two.summary.counts).toMatchObject({ missing: 0, status_behind: 0, ok: 8, matched_by_envelope: 1, ambiguous_envelope: 1 });
    expect(second.code).toBe(1);
    const written = readFileSync(join(dir, 'archive', (await collectKeys(join(dir, 'archive'), 'direct/'))[0]), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ArchiveRecord);
    expect(written.map((r) => r.source)).toEqual(Array(6).fill('reconcile'));
    expect(written.find((r) => r.message_sid === S.redactedMatch)).toMatchObject({
      status: 'delivered',
      to: '+1415555****',
      tags: { client_ref: 'ref-matched' },
    });
  });

  it.each(['twilio:api', 'twilio:bulk'])("reads Twilio's list through %s (the fake Twilio API), with the same findings", async (source) => {
    const fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: 'token' }]);
    await fake.start();
    try {
      for (const [s, status, to, at] of twilioRows) {
        fake.putMessage({
          sid: s,
          account_sid: ACCOUNT,
          status,
          to,
          date_created: new Date(at),
          date_sent: new Date(at),
          date_updated: new Date(at),
          error_code: status === 'undelivered' ? 30003 : null,
        });
      }
      // Another day's message: the list must leave it out.
      fake.putMessage({
        sid: sid('otherday'),
        account_sid: ACCOUNT,
        date_created: new Date('2026-11-23T12:00:00Z'),
        date_sent: new Date('2026-11-23T12:00:00Z'),
      });
      const out = join(dir, 'out');
      const result = await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', source, '--out', out], {
        TWILIO_ACCOUNT_SID: ACCOUNT,
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_API_BASE_URL: fake.url,
      });
      expect(result.stderr).not.toMatch(/cannot proceed/);
      expect(result.code).toBe(1);
      expect(results(out).summary.counts).toMatchObject({
        twilio_messages: 10,
        ok: 2,
        pending: 1,
        missing: 4,
        status_behind: 2,
        status_conflict: 1,
        matched_by_envelope: 1,
        ambiguous_envelope: 1,
        unknown_to_twilio: 1,
      });
    } finally {
      await fake.stop();
    }
  });

  it('exits 0 when nothing is left to find', async () => {
    const rows = twilioRows.filter(([s]) => s === S.ok || s === S.okAhead || s === S.pending);
    const csv = `sid,status,to,date_created,direction\n${rows.map(([s, status, to, at]) => `${s},${status},${to},${at},outbound-api`).join('\n')}\n`;
    writeFileSync(join(dir, 'clean.csv'), csv);
    const clean = join(dir, 'clean-archive');
    const store = new FolderArchiveStore(clean);
    for (const r of archive.filter((a) => a.message_sid === S.ok || a.message_sid === S.okAhead || a.message_sid === S.pending)) {
      await store.put(
        directObjectKey('direct/', 'seed', new Date(r.recorded_at), `${r.message_sid}-${r.recorded_at}-${Math.random()}`),
        Buffer.from(toArchiveLine(r)),
      );
    }
    const result = await run(['--archive', clean, '--day', DAY, '--export', join(dir, 'clean.csv'), '--out', join(dir, 'out')]);
    expect(result.stdout).toMatch(/No gap left\./);
    expect(result.code).toBe(0);
  });

  it('never exits 0 when an input was only partly read, and exits 2 on bad arguments', async () => {
    // The whole list, and one row that cannot be read.
    writeFileSync(join(dir, 'broken.csv'), `${consoleCsv()}not-a-sid,+15005550006,+14155550100,hi,sent,${T('03:00')},,outbound-api,${ACCOUNT},1\r\n`);
    const broken = await run(['--archive', join(dir, 'archive'), '--day', DAY, '--export', join(dir, 'broken.csv'), '--out', join(dir, 'out')]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/only partly read/);
    expect(results(join(dir, 'out')).summary.inputs.twilio_read.problems).toEqual([expect.objectContaining({ line: expect.any(Number) })]);
    expect((await run(['--archive', dir, '--day', '2026-13-45', '--export', 'x.csv', '--out', dir])).code).toBe(2);
    // Not rolled over into March 2.
    expect(await run(['--archive', dir, '--day', '2026-02-30', '--export', 'x.csv', '--out', dir])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--day: 2026-02-30 is not a day of the calendar/),
    });
    expect((await run(['--archive', dir, '--from', '2026-11-25T00:00:00', '--to', '2026-11-26T00:00:00Z', '--export', 'x.csv', '--out', dir])).stderr).toMatch(
      /--from: .*Z or an offset/,
    );
    expect((await run(['--archive', dir, '--day', DAY, '--export', join(dir, 'nope.csv'), '--out', join(dir, 'o')])).code).toBe(2);
    expect(
      (await run(['--archive', dir, '--from', `${DAY}T00:00:00Z`, '--to', '2026-11-26T00:00:00Z', '--export', 'twilio:bulk', '--out', join(dir, 'o')])).stderr,
    ).toMatch(/needs --day|give --day/);
  });
});

async function collectKeys(rootDir: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of new FolderArchiveStore(rootDir).list(prefix)) keys.push(o.key);
  return keys;
}
