import { DuckDbCategories, type CandidatePair, type StatusVerdict } from '../adapters/duckdb/sqlCategories';
import { scanWindow } from '../adapters/archive/windowScan';
import type { ExportReadReport } from '../adapters/twilioExport/exportFileReader';
import type { EnvelopeCandidate } from '../domain/reconcile/envelopeMatcher';
import type { TwilioMessageRow } from '../domain/reconcile/twilioRow';
import { msToIso } from '../domain/time';
import { attemptOf, placeRow, scannedWindow, summaryOf, type ReconcileOptions, type ReconcileSummary } from './reconcile';
import { ReconcileReport, type ArchiveSide, type AttemptEvidence } from './reconcileReport';

function rowOf(v: StatusVerdict): TwilioMessageRow {
  return {
    sid: v.sid,
    accountSid: v.account_sid,
    status: v.twilio_status,
    direction: v.direction,
    to: v.to_number,
    from: v.from_number,
    dateCreated: v.date_created,
    dateSent: v.date_sent,
    errorCode: v.twilio_error_code,
    messagingServiceSid: v.messaging_service_sid,
  };
}

function archiveOf(v: StatusVerdict): ArchiveSide | null {
  if (!v.archived) return null;
  return {
    status: v.archive_status ?? '',
    errorCode: v.archive_error_code,
    accountSid: v.archive_account_sid,
    newestRecordedAt: v.newest_recorded_at ?? '',
    recordedMs: v.status_recorded_ms ?? NaN,
    createdMs: v.archive_created_ms ?? NaN,
  };
}

/**
 * The reconciliation with its categories decided by SQL on DuckDB
 * (`--engine duckdb`): the project's readers read and validate the archive
 * and Twilio's list as for the streaming engine (every malformed line counted
 * and reported) and load them into DuckDB in-process; the categories' SQL
 * (src/domain/reconcile/sql) decides; the same report turns the verdicts into
 * the same gaps, corrections and summary. DuckDB loads no extension and reads
 * nothing by itself.
 */
export async function reconcileWithDuckDb(options: ReconcileOptions): Promise<ReconcileSummary> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const fromIso = options.from.toISOString();
  const toIso = options.to.toISOString();
  const attemptFrom = new Date(options.from.getTime() - options.matchWindowMs).toISOString();
  const db = await DuckDbCategories.open();
  try {
    const attempts = new Map<string, AttemptEvidence>();
    const records = await db.recordSink();
    const scanned = scannedWindow(options);
    const scan = await scanWindow(options.store, options.layout, scanned.from, scanned.to, {
      allowEmpty: options.allowEmpty,
      onRecord: (facts) => {
        if (facts.source !== 'send_error') return records.add(facts);
        const attempt = attemptOf(facts, attemptFrom, toIso, options.redactDigits);
        if (!attempt) return;
        attempts.set(attempt.id, attempt);
        // Loaded masked as the attempt is quoted, so that the SQL's attempt id is the same.
        records.add({ ...facts, to: attempt.to, tags: { client_ref: attempt.tags.client_ref } });
      },
      onProgress: (p) => options.onProgress?.('archive', p.objectsRead, p.objectsListed),
    });
    records.close();

    const report = new ReconcileReport({ ...options, now });
    const rows = await db.twilioSink();
    let twilioRead: ExportReadReport;
    try {
      twilioRead = await options.twilioList((unmasked) => {
        const row = placeRow(unmasked, report, options.redactDigits, options.direction, fromIso, toIso);
        if (row) rows.add(row);
      });
    } catch (error) {
      report.discard();
      throw error;
    } finally {
      rows.close();
    }

    const parameters = { windowFrom: fromIso, windowTo: toIso, matchWindowMs: options.matchWindowMs, direction: options.direction };
    await db.decide(parameters);
    const candidateRows = new Map<string, { row: TwilioMessageRow; archive: ArchiveSide | null }>();
    for await (const verdict of db.statusVerdicts()) {
      const row = rowOf(verdict);
      const archive = archiveOf(verdict);
      if (verdict.candidate) candidateRows.set(row.sid, { row, archive });
      report.listed(row, archive, verdict.category, verdict.candidate);
    }

    const pairs = await db.candidatePairs();
    const candidatesOf = (attemptId: string): CandidatePair[] => pairs.filter((p) => p.attempt_id === attemptId);
    for (const verdict of await db.attemptVerdicts()) {
      const attempt = attempts.get(verdict.attempt_id)!;
      if (verdict.category === 'matched_earlier') {
        report.matchedEarlier(attempt.id);
        continue;
      }
      const candidates: EnvelopeCandidate[] = candidatesOf(attempt.id).map((p) => ({ sid: p.sid, to: p.to_number, dateCreated: p.date_created }));
      if (verdict.category === 'unmatched_send_error') report.attempt({ category: verdict.category, attempt });
      else if (verdict.category === 'matched_by_envelope') {
        const { row, archive } = candidateRows.get(verdict.matched_sid!)!;
        report.attempt({ category: verdict.category, attempt, message: candidates[0], row, archive });
      } else {
        const sids = new Set(candidates.map((c) => c.sid));
        const competingAttempts = [...new Set(pairs.filter((p) => p.attempt_id !== attempt.id && sids.has(p.sid)).map((p) => p.attempt_id))];
        report.attempt({ category: verdict.category, attempt, candidates, competingAttempts });
      }
    }
    report.settleDeferred();

    for (const unknown of await db.unknownToTwilio()) {
      report.unknownToTwilio(unknown.sid, {
        status: unknown.archive_status,
        createdAt: msToIso(unknown.created_ms),
        newestRecordedAt: unknown.newest_recorded_at,
      });
    }
    return summaryOf(options, started, scan, twilioRead, await report.close());
  } finally {
    db.close();
  }
}
