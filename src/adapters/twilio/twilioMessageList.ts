import { Readable } from 'node:stream';
import type { Twilio } from 'twilio';
import { readJsonLines, type ExportProblem, type ExportReadReport } from '../twilioExport/exportFileReader';
import { normalizeTwilioRow, type TwilioMessageRow } from '../../domain/reconcile/twilioRow';

const API = 'https://api.twilio.com';

/** The day's Bulk Export file cannot be had: none for the day, or it could not be downloaded. */
export class BulkExportError extends Error {
  override name = 'BulkExportError';
}

interface ListPage {
  messages?: Record<string, unknown>[];
  next_page_uri?: string | null;
}

function bodyOf<T>(body: unknown): T {
  return (typeof body === 'string' ? JSON.parse(body) : body) as T;
}

/**
 * Twilio's list of messages through the API: every page of
 * `GET /2010-04-01/Accounts/{AccountSid}/Messages.json` with DateSent filters
 * around the window (a message is listed by its send time), PageSize 1000,
 * following next_page_uri. A page that still fails after the client's retries
 * ends the read as incomplete.
 */
export async function listMessagesViaApi(
  client: Twilio,
  accountSid: string,
  from: Date,
  to: Date,
  onRow: (row: TwilioMessageRow) => void,
): Promise<ExportReadReport> {
  const report: ExportReadReport = { rows: 0, malformedRows: 0, problems: [], complete: true };
  const query = new URLSearchParams({ 'DateSent>': from.toISOString(), 'DateSent<': to.toISOString(), PageSize: '1000' });
  let uri: string | null = `${API}/2010-04-01/Accounts/${accountSid}/Messages.json?${query.toString()}`;
  for (let page = 0; uri; page++) {
    const response = (await client.request({ method: 'get', uri })) as { statusCode: number; body: unknown };
    if (response.statusCode !== 200) {
      report.complete = false;
      report.problems.push({ source: `API page ${page}`, reason: `Twilio answered ${response.statusCode}; the list is incomplete` });
      return report;
    }
    const body = bodyOf<ListPage>(response.body);
    for (const [i, resource] of (body.messages ?? []).entries()) {
      const result = normalizeTwilioRow(resource);
      if (result.ok) {
        report.rows++;
        onRow(result.row);
      } else {
        report.malformedRows++;
        report.complete = false;
        const problem: ExportProblem = { source: `API page ${page}, item ${i}`, reason: result.reason };
        if (report.problems.length < 1000) report.problems.push(problem);
      }
    }
    uri = body.next_page_uri ? `${API}${body.next_page_uri}` : null;
  }
  return report;
}

/**
 * Twilio's list through the Bulk Export API: the day's file, fetched through
 * the `redirect_to` that `GET /v1/Exports/Messages/Days/{Day}` answers (307),
 * then read as gzip JSON lines.
 */
export async function listMessagesViaBulkExport(client: Twilio, day: string, onRow: (row: TwilioMessageRow) => void): Promise<ExportReadReport> {
  const response = (await client.request({ method: 'get', uri: `https://bulkexports.twilio.com/v1/Exports/Messages/Days/${day}` })) as {
    statusCode: number;
    body: unknown;
  };
  if (response.statusCode !== 307 && response.statusCode !== 200) {
    throw new BulkExportError(`Bulk Export has no file for ${day}: Twilio answered ${response.statusCode} (files are kept 7 days, US1 only)`);
  }
  const redirectTo = bodyOf<{ redirect_to?: string }>(response.body).redirect_to;
  if (!redirectTo) throw new BulkExportError(`Bulk Export answered no redirect_to for ${day}`);
  // The file lives in Twilio's storage behind a presigned URL: no Twilio credentials go with it.
  const file = await fetch(redirectTo);
  if (!file.ok || !file.body) throw new BulkExportError(`the Bulk Export file for ${day} could not be downloaded: HTTP ${file.status}`);
  return readJsonLines(Readable.fromWeb(file.body), `Bulk Export ${day}`, onRow);
}
