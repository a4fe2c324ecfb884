/**
 * `report` through its CLI: a month folder of daily runs (each run's --out
 * folder with its summary.json), one day run twice, one day not run, one
 * partial, one unreadable summary; the page checked in headless Chromium.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReconcileSummary } from '../../src/reconcile/reconcile';
import { pixelsOfColor, screenshot } from '../helpers/chromium';
import { runScript } from '../helpers/runScript';

function summary(day: string, counts: Partial<ReconcileSummary['counts']>, extra: Partial<ReconcileSummary> = {}): ReconcileSummary {
  const base = {
    ok: 0,
    pending: 0,
    missing: 0,
    status_behind: 0,
    status_conflict: 0,
    matched_by_envelope: 0,
    ambiguous_envelope: 0,
    unmatched_send_error: 0,
    unknown_to_twilio: 0,
    twilio_messages: 0,
    outside_window: 0,
    other_direction: 0,
    send_errors: 0,
    listed_twice: 0,
  };
  return {
    window: {
      from: `${day}T00:00:00.000Z`,
      to: new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString(),
      coverage: [{ day, hours: 24 }],
      archive_scanned_from: '',
      archive_scanned_to: '',
      match_window_ms: 300000,
      direction: 'outbound',
    },
    inputs: {} as ReconcileSummary['inputs'],
    counts: { ...base, ...counts },
    written: 0,
    write_error: null,
    write_refused: null,
    not_comparable: null,
    archive_messages: counts.twilio_messages ?? 0,
    plausibility: { missing_share: 0, max_missing_share: 0.05 },
    gaps_remaining: 0,
    debugger_alerts: { archived: 0, gaps_with_alerts: 0, gaps: [] },
    charts: { twilio_statuses: { delivered: (counts.twilio_messages ?? 0) - 10, undelivered: 10 }, top_error_codes: [], callback_lag: [] },
    partial: false,
    duration_ms: 1,
    ...extra,
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'period-'));
  const write = (folder: string, body: unknown, mtime: number) => {
    mkdirSync(join(dir, folder), { recursive: true });
    const file = join(dir, folder, 'summary.json');
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    utimesSync(file, mtime, mtime);
  };
  write('2026-11-01', summary('2026-11-01', { twilio_messages: 1000, ok: 990, missing: 10 }, { written: 10 }), 1);
  // 11-02 ran twice: the second run (written later) settled what the first left open.
  write('2026-11-02-first', summary('2026-11-02', { twilio_messages: 900, missing: 30, status_conflict: 1 }, { gaps_remaining: 31 }), 2);
  write('2026-11-02-again', summary('2026-11-02', { twilio_messages: 900, missing: 30, status_conflict: 1 }, { written: 30, gaps_remaining: 1 }), 3);
  // 11-03 did not run. 11-04 read its inputs only partly.
  write('2026-11-04', summary('2026-11-04', { twilio_messages: 800, status_behind: 5 }, { partial: true, gaps_remaining: 5 }), 4);
  write('broken', '{"window":', 5);
  // 11-05: one whole-day run, then a rerun of half an hour written later, which must not stand for the day (issue 22,
  // item 8). 11-06: only half an hour ran.
  write('2026-11-05', summary('2026-11-05', { twilio_messages: 700, ok: 700 }), 6);
  const halfHour = (day: string) => ({ from: `${day}T10:00:00.000Z`, to: `${day}T10:30:00.000Z`, coverage: [{ day, hours: 0.5 }] });
  const fiveShort = summary('2026-11-05', { twilio_messages: 20, ok: 20 });
  write('2026-11-05-rerun', { ...fiveShort, window: { ...fiveShort.window, ...halfHour('2026-11-05') } }, 7);
  const sixShort = summary('2026-11-06', { twilio_messages: 20, ok: 20 });
  write('2026-11-06', { ...sixShort, window: { ...sixShort.window, ...halfHour('2026-11-06') } }, 8);
  // 11-07: outbound left a conflict; a clean inbound run written later must not hide it (found by a review).
  write('2026-11-07-out', summary('2026-11-07', { twilio_messages: 50, ok: 49, status_conflict: 1 }, { gaps_remaining: 1 }), 9);
  const inbound = summary('2026-11-07', { twilio_messages: 30, ok: 30 });
  write('2026-11-07-in', { ...inbound, window: { ...inbound.window, direction: 'inbound' } }, 10);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report', () => {
  it('writes one page for the period, a row per day, the days that need attention first, and exits 1 when some do', async () => {
    const page = join(dir, 'november.html');
    const result = await runScript('scripts/report.ts', ['--runs', dir, '--from', '2026-11-01', '--to-day', '2026-11-07', '--out', page, '--json']);
    expect(result.code).toBe(1);
    const { rows, problems } = JSON.parse(result.stdout) as {
      rows: { day: string; where: string | null; runs: number; found: number; corrected: number; open: number; attention: string[] }[];
      problems: string[];
    };
    expect(rows.map((r) => [r.day, r.where, r.runs, r.found, r.corrected, r.open])).toEqual([
      ['2026-11-01', '2026-11-01', 1, 10, 10, 0],
      ['2026-11-02', '2026-11-02-again', 2, 31, 30, 1],
      ['2026-11-03', null, 0, 0, 0, 0],
      ['2026-11-04', '2026-11-04', 1, 5, 0, 5],
      ['2026-11-05', '2026-11-05', 2, 0, 0, 0],
      ['2026-11-06', '2026-11-06', 1, 0, 0, 0],
      ['2026-11-07', '2026-11-07-out, 2026-11-07-in', 2, 1, 0, 1],
    ]);
    expect(rows[6].attention).toEqual(['outbound: 1 conflict(s) for a person to settle', 'outbound: 1 gap(s) remain open']);
    expect(rows[2].attention).toEqual(['no reconciliation ran for this day']);
    expect(rows[4].attention).toEqual([]);
    expect(rows[5].attention).toEqual(['covered 0.5 h of 24: no run reconciled the whole day']);
    expect(problems).toEqual([expect.stringMatching(/broken\/summary\.json: /)]);
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=/i);
    // Unread and incomplete days first, then the most open gaps.
    const order = [...html.matchAll(/<li><strong>(\d{4}-\d\d-\d\d)<\/strong>/g)].map((m) => m[1]);
    expect(order).toEqual(['2026-11-03', '2026-11-04', '2026-11-02', '2026-11-07', '2026-11-06']);
    expect(html).toContain('delivered 98.9%, undelivered 1.1%');
    const image = await screenshot(page, 1366, 1600);
    // The rows that need attention are tinted; the trend bars are drawn.
    expect(pixelsOfColor(image, '#fdecea', 2)).toBeGreaterThan(3 * 1000);
    expect(pixelsOfColor(image, '#ef6c00')).toBeGreaterThan(200);
  });

  it('refuses (exit 2) a folder without any summary, and bad days', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'period-empty-'));
    try {
      const none = await runScript('scripts/report.ts', ['--runs', empty, '--from', '2026-11-01', '--to-day', '2026-11-30', '--out', join(empty, 'x.html')]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no summary\.json under/);
      expect(
        (await runScript('scripts/report.ts', ['--runs', dir, '--from', '2026-11-30', '--to-day', '2026-11-01', '--out', join(empty, 'x.html')])).code,
      ).toBe(2);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
