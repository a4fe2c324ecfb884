import { errorCodeInWords } from '../domain/errorCodes';
import { gapInWords, type GapLike } from '../domain/reconcile/gapWords';
import type { ReconcileSummary } from './reconcile';

/**
 * The reconciliation as one self-contained HTML page for a compliance officer:
 * no script, no network, charts drawn as inline SVG so that the file opens the
 * same anywhere, today or in seven years.
 */

/** Text as HTML, every character that could open markup escaped. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const escape = escapeHtml;

const COLORS = {
  good: '#2e7d32',
  neutral: '#546e7a',
  warn: '#ef6c00',
  bad: '#c62828',
  info: '#1565c0',
};

interface Bar {
  label: string;
  value: number;
  color: string;
}

/** A horizontal bar chart: one labelled bar per item, its value at the end. */
export function barChart(title: string, bars: Bar[]): string {
  const width = 560;
  const labelWidth = 170;
  const row = 28;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = Math.max(1, bars.length) * row + 8;
  const rows = bars.map((bar, i) => {
    const y = i * row + 4;
    const length = bar.value === 0 ? 0 : Math.max(2, Math.round(((width - labelWidth - 100) * bar.value) / max));
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${length}" height="${row - 8}" rx="3" fill="${bar.color}"><title>${escape(`${bar.label}: ${bar.value}`)}</title></rect>`,
      `<text x="${labelWidth + length + 6}" y="${y + 17}">${bar.value.toLocaleString('en')}</text>`,
    ].join('');
  });
  const empty = bars.length === 0 ? `<text x="${labelWidth}" y="20">none</text>` : '';
  return `<figure><figcaption>${escape(title)}</figcaption><svg role="img" aria-label="${escape(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13" fill="#222">${rows.join('')}${empty}</svg></figure>`;
}

const STATUS_COLORS: Record<string, string> = {
  delivered: COLORS.good,
  read: COLORS.good,
  sent: COLORS.info,
  undelivered: COLORS.bad,
  failed: COLORS.bad,
  canceled: COLORS.neutral,
};

const CATEGORY_COLORS: Record<string, string> = {
  missing: COLORS.bad,
  status_behind: COLORS.warn,
  status_conflict: COLORS.bad,
  ambiguous_envelope: COLORS.warn,
  unknown_to_twilio: COLORS.bad,
  listed_twice: COLORS.bad,
  matched_by_envelope: COLORS.info,
  unmatched_send_error: COLORS.neutral,
};

/** The most findings the page lists; every one is in gaps.ndjson. */
export const MAX_GAPS_LISTED = 500;

const GAP_ORDER = ['status_conflict', 'listed_twice', 'missing', 'status_behind', 'ambiguous_envelope', 'unknown_to_twilio', 'matched_by_envelope'];

/** A finding's client reference and tags, as the attempt that names them quotes them. */
function tagsOf(gap: GapLike): string {
  const attempt = gap.evidence.attempt;
  if (typeof attempt !== 'object' || attempt === null) return '';
  const tags = (attempt as { tags?: Record<string, unknown> }).tags ?? {};
  return Object.entries(tags)
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
}

/** What --write appended for a finding, in words; a dash when nothing was. */
function correctionOf(gap: GapLike): string {
  if (!gap.written) return '–';
  if (gap.category === 'matched_by_envelope') return 'appended: the SID recorded against the attempt';
  const twilio = gap.evidence.twilio as { status?: unknown } | undefined;
  return `appended: Twilio's \`${typeof twilio?.status === 'string' ? twilio.status : 'status'}\` recorded`;
}

/**
 * The findings themselves, server-rendered (no script): one section per
 * category, most serious first, each row the SID, the evidence in words, the
 * sender's tags, and whether --write corrected it.
 */
function findingsSection(gaps: readonly GapLike[], total: number): string {
  if (total === 0) return '';
  // The known categories in their order, then any other a later version writes: no finding is left off the page.
  const order = [...GAP_ORDER, ...new Set(gaps.map((g) => g.category).filter((c) => !GAP_ORDER.includes(c)))];
  const groups = order.map((category) => [category, gaps.filter((g) => g.category === category)] as const).filter(([, listed]) => listed.length > 0);
  const sections = groups.map(
    ([
      category,
      listed,
    ]) => `<details open><summary><strong>${escape(category.replace(/_/g, ' '))}</strong> (${listed.length.toLocaleString('en')} listed)</summary>
<table class="gaps"><tr><th>Message</th><th>What the evidence shows</th><th>Client reference, tags</th><th>Correction</th></tr>
${listed
  .map(
    (g) =>
      `<tr><td><code>${escape(g.message_sid ?? '–')}</code></td><td>${escape(gapInWords(g))}</td><td>${escape(tagsOf(g))}</td><td>${escape(correctionOf(g))}</td></tr>`,
  )
  .join('\n')}
</table></details>`,
  );
  const more = total > gaps.length ? `<p class="muted">${(total - gaps.length).toLocaleString('en')} more finding(s) are in gaps.ndjson.</p>` : '';
  return `<h2>Findings (${total.toLocaleString('en')})</h2>\n${sections.join('\n')}\n${more}`;
}

export function renderReport(summary: ReconcileSummary, gaps: readonly GapLike[] = [], totalGaps = gaps.length): string {
  const c = summary.counts;
  const verdict = summary.not_comparable
    ? { text: `Not compared: ${summary.not_comparable}`, color: COLORS.bad }
    : summary.partial
      ? { text: 'Incomplete: an input was only partly read', color: COLORS.bad }
      : summary.gaps_remaining === 0
        ? { text: 'No gap left', color: COLORS.good }
        : { text: `${summary.gaps_remaining.toLocaleString('en')} gap(s) remain`, color: COLORS.bad };
  const statusBars = Object.entries(summary.charts.twilio_statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, value]) => ({ label: status, value, color: STATUS_COLORS[status] ?? COLORS.neutral }));
  // ok and pending dwarf everything else: they are in the caption, the findings get the bars.
  const categories = [
    'missing',
    'status_behind',
    'status_conflict',
    'matched_by_envelope',
    'ambiguous_envelope',
    'unmatched_send_error',
    'unknown_to_twilio',
    'listed_twice',
  ] as const;
  const gapBars = categories.map((k) => ({ label: k.replace(/_/g, ' '), value: c[k], color: CATEGORY_COLORS[k] }));
  const errorBars = summary.charts.top_error_codes.map(({ code, count }) => ({ label: errorCodeInWords(code), value: count, color: COLORS.bad }));
  const lagBars = summary.charts.callback_lag.map(({ bucket, count }) => ({ label: bucket, value: count, color: COLORS.info }));
  const inputs = [
    [
      'Archive',
      summary.inputs.archive,
      summary.inputs.archive_read.complete,
      `${summary.inputs.archive_read.records.toLocaleString('en')} records in ${summary.inputs.archive_read.objects} objects`,
    ],
    ["Twilio's list", summary.inputs.twilio, summary.inputs.twilio_read.complete, `${summary.inputs.twilio_read.rows.toLocaleString('en')} rows`],
  ] as const;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Message reconciliation ${escape(summary.window.from.slice(0, 10))}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1240px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .25rem; }
.verdict { display: inline-block; padding: .4rem .8rem; border-radius: 4px; color: #fff; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(580px, 1fr)); gap: 1rem 2rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin: 1rem 0 .5rem; }
table { border-collapse: collapse; margin-top: 1rem; } table.gaps { width: 100%; margin-top: .5rem; table-layout: fixed; } table.gaps th { background: #e8eef5; }
table.gaps td { vertical-align: top; font-size: .92rem; overflow-wrap: anywhere; } table.gaps td:nth-child(1) { width: 22%; } table.gaps td:nth-child(2) { width: 50%; }
details { margin: .5rem 0; } summary { cursor: pointer; } td, th { text-align: left; padding: .25rem .75rem .25rem 0; border-bottom: 1px solid #ddd; }
.muted { color: #666; font-size: .9rem; }
</style></head><body>
<h1>Message reconciliation</h1>
<p class="muted">Window ${escape(summary.window.from)} – ${escape(summary.window.to)} (UTC), ${escape(summary.window.direction)} messages; archive read from ${escape(summary.window.archive_scanned_from)} to ${escape(summary.window.archive_scanned_to)}.</p>
<p><span class="verdict" style="background:${verdict.color}">${escape(verdict.text)}</span>
 <span class="muted">${c.twilio_messages.toLocaleString('en')} messages in Twilio's list · ${c.send_errors.toLocaleString('en')} send attempts without a SID · ${summary.written.toLocaleString('en')} corrections appended${summary.write_error ? ` · corrections NOT appended: ${escape(summary.write_error)}` : ''}${summary.write_refused ? ` · --write refused: ${escape(summary.write_refused)}` : ''}</span></p>
<div class="grid">
${barChart("Final status (Twilio's list)", statusBars)}
${barChart(`Findings per category (besides ${c.ok.toLocaleString('en')} ok, ${c.pending.toLocaleString('en')} pending)`, gapBars)}
${barChart('Top error codes', errorBars)}
${barChart('Callback lag: creation to final status in the archive', lagBars)}
</div>
<table><tr><th>Input</th><th>Source</th><th>Read</th><th></th></tr>
${inputs.map(([name, source, complete, detail]) => `<tr><td>${escape(name)}</td><td>${escape(source)}</td><td style="color:${complete ? COLORS.good : COLORS.bad}">${complete ? 'complete' : 'PARTLY'}</td><td class="muted">${escape(detail)}</td></tr>`).join('\n')}
</table>
${findingsSection(gaps, totalGaps)}
${alertsSection(summary)}
${warehouseLine(summary)}
<p class="muted">Each finding, with its evidence, is in gaps.ndjson beside this file; counts and inputs in summary.json. Categories: docs/reconciliation.md.</p>
</body></html>
`;
}

/** The gaps whose messages Twilio's Debugger raised alerts about: often the reason for the gap. */
function alertsSection(summary: ReconcileSummary): string {
  const { archived, gaps_with_alerts: alerted, gaps } = summary.debugger_alerts;
  if (alerted === 0)
    return `<p class="muted">${archived.toLocaleString('en')} Debugger alert(s) about messages read in the archive's window; none concerns a message with a gap.</p>`;
  const rows = gaps.map((gap) => {
    const alerts = gap.alerts
      .map((a) => `${escape(a.at ?? 'time unknown')} ${escape(a.level ?? '')} ${a.error_code ? `error ${escape(a.error_code)}` : ''}`)
      .join('<br>');
    return `<tr><td><code>${escape(gap.message_sid)}</code></td><td>${escape(gap.category.replace(/_/g, ' '))}</td><td>${alerts}</td></tr>`;
  });
  const more =
    alerted > gaps.length ? `<p class="muted">${(alerted - gaps.length).toLocaleString('en')} more in gaps.ndjson (evidence.debugger_alerts).</p>` : '';
  return `<h2>Debugger alerts on messages with gaps (${alerted.toLocaleString('en')})</h2>
<table><tr><th>Message</th><th>Gap</th><th>Alerts (time, level, error code)</th></tr>
${rows.join('\n')}
</table>${more}`;
}

/** Where the categories were decided when not on this machine (--engine athena), and what its queries scanned and cost. */
function warehouseLine(summary: ReconcileSummary): string {
  const w = summary.warehouse;
  if (!w) return '';
  const gib = (w.bytes_scanned / 1024 ** 3).toFixed(3);
  return `<p class="muted">Decided by ${escape(w.engine)}: ${w.queries.length} queries (${w.queries.map((q) => escape(q.queryId)).join(', ')}) scanned ${gib} GiB, about $${w.cost_usd.toFixed(4)}.</p>`;
}
