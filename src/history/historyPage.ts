import { escapeHtml as escape } from '../reconcile/htmlReport';
import { errorCodeInWords } from '../domain/errorCodes';
import type { HistoryQuery } from '../domain/messageHistory';
import type { HistoryResult } from './findHistory';

function queryText(query: HistoryQuery): string {
  switch (query.kind) {
    case 'sid':
      return `message ${query.sid}`;
    case 'client_ref':
      return `client reference ${query.ref}`;
    case 'tag':
      return `tag ${query.name}=${query.value}`;
    case 'to':
      return `recipient ${query.number}`;
  }
}

/**
 * A one-page evidence sheet an auditor can file: self-contained (no script,
 * no network), every record with where it is, the outcome and the rule behind
 * each part of it. Numbers appear as the archive holds them (masked when
 * redaction is on); the query's own number is masked the same way by the caller.
 */
export function historyPage(result: HistoryResult, query: HistoryQuery, generatedAt: Date): string {
  const { looked } = result;
  const stories = result.messages.map((story) => {
    const rows = story.entries.map(
      (e) =>
        `<tr><td>${escape(e.event_at ?? e.recorded_at)}</td><td>${escape(e.source)}</td><td>${escape(e.status ?? '–')}</td><td>${escape(e.error_code ?? '')}</td><td><code>${escape(`${e.key}:${e.line}`)}</code></td><td>${escape(e.notes.join('; '))}</td></tr>`,
    );
    const o = story.outcome;
    return `<h2>Message <code>${escape(story.message_sid)}</code></h2>
<p class="outcome">Outcome: <strong>${escape(o.status ?? 'no status')}</strong>${o.status ? (o.final ? ' (final)' : ' (not final)') : ''}${o.error_code ? `, error ${escape(errorCodeInWords(o.error_code))}` : ''}${o.created_at ? ` · created ${escape(o.created_at)}` : ''}${o.account_sid ? ` · account <code>${escape(o.account_sid)}</code>` : ''}</p>
<ol class="rules">${story.rules.map((r) => `<li>${escape(r)}</li>`).join('')}</ol>
<table><tr><th>When (event, else recorded)</th><th>Source</th><th>Status</th><th>Error</th><th>Where (object:line)</th><th>Notes</th></tr>
${rows.join('\n')}
</table>`;
  });
  const unattached = result.unattached.length
    ? `<h2>Send attempts without a SID</h2><ul>${result.unattached.map((f) => `<li>${escape(String(f.record.recorded_at))}: ${escape(String(f.record.source))} to ${escape(String(f.record.to))} (<code>${escape(`${f.key}:${f.line}`)}</code>)</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Message history: ${escape(queryText(query))}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1240px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .25rem; }
table { border-collapse: collapse; margin-top: .75rem; width: 100%; } td, th { text-align: left; padding: .25rem .75rem .25rem 0; border-bottom: 1px solid #ddd; vertical-align: top; font-size: .92rem; }
code { font-size: .85rem; } .muted { color: #666; font-size: .9rem; } .rules li { margin: .2rem 0; } .warn { color: #b00020; font-weight: 600; }
</style></head><body>
<h1>Message history: ${escape(queryText(query))}</h1>
<p class="muted">Archive read ${escape(looked.from)} to ${escape(looked.to)} (${looked.days} day(s), UTC): ${escape(looked.how)}. ${looked.objects} object(s), ${looked.lines} line(s). Generated ${escape(generatedAt.toISOString())}.</p>
${looked.corrupt.length ? `<p class="warn">${looked.corrupt.length} object(s) could not be read to their end: this history may be incomplete (${looked.corrupt.map((c) => escape(c.key)).join(', ')}).</p>` : ''}
${stories.join('\n') || '<p>No record found.</p>'}
${unattached}
<p class="muted">Status rules: docs/archive-format.md ("Status rules"). Each record is in the archive at the object and line given; the archive is write-once.</p>
</body></html>
`;
}
