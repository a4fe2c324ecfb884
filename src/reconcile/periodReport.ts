import { barChart, escapeHtml as escape } from './htmlReport';
import type { ReconcileSummary } from './reconcile';

/** One daily run's summary as read from its folder. */
export interface RunSummary {
  /** Where the summary was read (its folder), for the page and for a person to open. */
  where: string;
  /** When the file was written (its modification time): the later run of a day counts. */
  writtenMs: number;
  summary: ReconcileSummary;
}

/** One day of the period: its run's figures, or none. */
export interface DayRow {
  day: string;
  /** The run that counts (the last written), or null when no run covers the day. */
  where: string | null;
  runs: number;
  messages: number;
  statuses: Record<string, number>;
  /** Gaps found: missing, behind, in conflict, ambiguous attempts, unknown to Twilio. */
  found: number;
  corrected: number;
  open: number;
  partial: boolean;
  /** Hours of the day the counted run's window covered: 24 for a whole day. */
  coveredHours: number;
  /** Why the day needs a person, most serious first; empty when it does not. */
  attention: string[];
}

const FOUND: readonly (keyof ReconcileSummary['counts'])[] = [
  'missing',
  'status_behind',
  'status_conflict',
  'ambiguous_envelope',
  'unknown_to_twilio',
  'listed_twice',
];
const DAY_MS = 86_400_000;

/**
 * The period's days, one row each, from the daily runs' summaries: the last
 * written run of a day counts (an earlier one is superseded, and said so); a
 * day no run covers is a row too, and needs attention.
 */
export function periodRows(runs: readonly RunSummary[], from: Date, to: Date): DayRow[] {
  const byDay = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const day = run.summary.window.from.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), run]);
  }
  const rows: DayRow[] = [];
  for (let t = from.getTime(); t <= to.getTime(); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const dayRuns = (byDay.get(day) ?? []).sort((a, b) => a.writtenMs - b.writtenMs);
    // Each direction is its own reconciliation (an inbound run says nothing of outbound messages): the day's row
    // joins, per direction, the run that stands for it. A run of part of the day never stands for the day: the last
    // run that covered all of it counts, else the last run.
    const directions = [...new Set(dayRuns.map((r) => r.summary.window.direction ?? 'outbound'))];
    const standing = directions.map((direction) => {
      const ofDirection = dayRuns.filter((r) => (r.summary.window.direction ?? 'outbound') === direction);
      return ofDirection.filter((r) => hoursOfDayCovered(r.summary, t) >= 24).at(-1) ?? ofDirection.at(-1)!;
    });
    if (standing.length === 0) {
      rows.push({
        day,
        where: null,
        runs: 0,
        messages: 0,
        statuses: {},
        found: 0,
        corrected: 0,
        open: 0,
        partial: false,
        coveredHours: 0,
        attention: ['no reconciliation ran for this day'],
      });
      continue;
    }
    const attention: string[] = [];
    const statuses: Record<string, number> = {};
    let messages = 0;
    let found = 0;
    let corrected = 0;
    let open = 0;
    for (const run of standing) {
      const s = run.summary;
      const said = (text: string) => attention.push(standing.length > 1 ? `${s.window.direction}: ${text}` : text);
      const coveredHours = hoursOfDayCovered(s, t);
      if (coveredHours < 24) said(`covered ${Number(coveredHours.toFixed(2))} h of 24: no run reconciled the whole day`);
      if (s.not_comparable) said(`Twilio's list and the archive were not comparable: ${s.not_comparable}`);
      if (s.partial) said('an input was only partly read: the result is incomplete');
      if (s.write_error) said(`corrections were not appended: ${s.write_error}`);
      if (s.write_refused) said(`--write refused: ${s.write_refused}`);
      if (s.counts.status_conflict > 0) said(`${s.counts.status_conflict} conflict(s) for a person to settle`);
      if (s.gaps_remaining > 0) said(`${s.gaps_remaining} gap(s) remain open`);
      messages += s.counts.twilio_messages;
      found += FOUND.reduce((n, category) => n + (s.counts[category] ?? 0), 0);
      corrected += s.written;
      open += s.gaps_remaining;
      for (const [status, n] of Object.entries(s.charts.twilio_statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    }
    rows.push({
      day,
      where: standing.map((r) => r.where).join(', '),
      runs: dayRuns.length,
      messages,
      statuses,
      found,
      corrected,
      open,
      partial: standing.some((r) => r.summary.partial),
      coveredHours: Math.min(...standing.map((r) => hoursOfDayCovered(r.summary, t))),
      attention,
    });
  }
  return rows;
}

/** Hours of the UTC day starting at `dayMs` that a run's window [from, to) covered. */
function hoursOfDayCovered(summary: ReconcileSummary, dayMs: number): number {
  const from = Math.max(Date.parse(summary.window.from), dayMs);
  const to = Math.min(Date.parse(summary.window.to), dayMs + DAY_MS);
  return Number.isFinite(from) && Number.isFinite(to) && to > from ? (to - from) / 3_600_000 : 0;
}

/** The days that need a person, the most serious first: days no run checked, then incomplete days, then the most open gaps. */
export function daysNeedingAttention(rows: readonly DayRow[]): DayRow[] {
  // A day never checked is the worst (none of its messages was); then one read only in part; then by open gaps.
  const weight = (r: DayRow) => (r.where === null ? 3 : r.partial ? 2 : 1);
  return rows.filter((r) => r.attention.length > 0).sort((a, b) => weight(b) - weight(a) || b.open - a.open || b.found - a.found || a.day.localeCompare(b.day));
}

function statusMix(statuses: Record<string, number>): string {
  const total = Object.values(statuses).reduce((n, v) => n + v, 0);
  if (total === 0) return '–';
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([status, n]) => `${status} ${((100 * n) / total).toFixed(1)}%`)
    .join(', ');
}

/** One page for the period: per-day rows, the trend, and the days that need attention first. Self-contained, no script. */
export function renderPeriodReport(rows: readonly DayRow[], from: string, to: string, problems: readonly string[]): string {
  const attention = daysNeedingAttention(rows);
  const totals = rows.reduce(
    (t, r) => ({ messages: t.messages + r.messages, found: t.found + r.found, corrected: t.corrected + r.corrected, open: t.open + r.open }),
    {
      messages: 0,
      found: 0,
      corrected: 0,
      open: 0,
    },
  );
  const trendFound = barChart(
    'Gaps found per day',
    rows.map((r) => ({ label: r.day, value: r.found, color: '#ef6c00' })),
  );
  const trendOpen = barChart(
    'Gaps still open per day',
    rows.map((r) => ({ label: r.day, value: r.open, color: r.open > 0 ? '#c62828' : '#2e7d32' })),
  );
  const table = rows
    .map(
      (r) =>
        `<tr${r.attention.length ? ' class="attention"' : ''}><td>${escape(r.day)}</td><td>${r.where === null ? 'no run' : r.messages.toLocaleString('en')}</td><td>${escape(statusMix(r.statuses))}</td><td>${r.found.toLocaleString('en')}</td><td>${r.corrected.toLocaleString('en')}</td><td>${r.open.toLocaleString('en')}</td><td>${r.partial ? 'PARTLY' : r.where === null ? '–' : 'complete'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Message reconciliation ${escape(from)} to ${escape(to)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1240px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .25rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(580px, 1fr)); gap: 1rem 2rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin: 1rem 0 .5rem; }
table { border-collapse: collapse; margin-top: .75rem; width: 100%; } td, th { text-align: left; padding: .25rem .75rem .25rem 0; border-bottom: 1px solid #ddd; }
th { background: #e8eef5; } tr.attention td { background: #fdecea; } .muted { color: #666; font-size: .9rem; }
</style></head><body>
<h1>Message reconciliation, ${escape(from)} to ${escape(to)}</h1>
<p class="muted">${rows.length} day(s): ${totals.messages.toLocaleString('en')} messages in Twilio's lists, ${totals.found.toLocaleString('en')} gaps found, ${totals.corrected.toLocaleString('en')} corrections appended, ${totals.open.toLocaleString('en')} gaps open.</p>
<h2>Days that need attention first (${attention.length})</h2>
${attention.length ? `<ol>${attention.map((r) => `<li><strong>${escape(r.day)}</strong>: ${escape(r.attention.join('; '))}${r.where ? ` <span class="muted">(${escape(r.where)})</span>` : ''}</li>`).join('')}</ol>` : '<p>None: every day ran, was read completely, and has no open gap.</p>'}
<div class="grid">
${trendFound}
${trendOpen}
</div>
<h2>Per day</h2>
<table><tr><th>Day (UTC)</th><th>Messages</th><th>Final-status mix (Twilio's list)</th><th>Gaps found</th><th>Corrected</th><th>Open</th><th>Inputs</th></tr>
${table}
</table>
${problems.length ? `<h2>Summaries that could not be read (${problems.length})</h2><ul>${problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>` : ''}
<p class="muted">Each day's own report (report.html, gaps.ndjson, summary.json) is in the folder named. Categories: docs/reconciliation.md.</p>
</body></html>
`;
}
