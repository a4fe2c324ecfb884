import { AlertBook } from './alertBook';
import { DuckDbCategories } from '../adapters/duckdb/sqlCategories';
import { scanWindow } from '../adapters/archive/windowScan';
import { attemptOf, readTwilioList, scannedWindow, summaryOf, type ReconcileOptions, type ReconcileSummary, type TwilioListRead } from './reconcile';
import { ReconcileReport } from './reconcileReport';
import { reportVerdicts } from './reportVerdicts';

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
    const records = await db.recordSink();
    const alerts = new AlertBook();
    const scanned = scannedWindow(options);
    const scan = await scanWindow(options.store, options.layout, scanned.from, scanned.to, {
      allowEmpty: options.allowEmpty,
      redactDigits: options.redactDigits,
      threads: options.threads,
      onRecord: (facts) => {
        if (facts.source !== 'send_error') return records.add(facts);
        const attempt = attemptOf(facts, attemptFrom, toIso, options.redactDigits);
        if (!attempt) return;
        // Loaded masked as the attempt is quoted, so that the SQL's attempt id is the same.
        records.add({ ...facts, to: attempt.to, tags: attempt.tags });
      },
      onAlert: (alert) => alerts.add(alert),
      onProgress: (p) => options.onProgress?.('archive', p.objectsRead, p.objectsListed),
    });
    records.close();

    const report = new ReconcileReport({ ...options, now, alerts });
    const rows = await db.twilioSink();
    let twilioRead: TwilioListRead;
    try {
      twilioRead = await readTwilioList(options, report, (row) => rows.add(row));
    } catch (error) {
      report.discard();
      throw error;
    } finally {
      rows.close();
    }

    const parameters = { windowFrom: fromIso, windowTo: toIso, matchWindowMs: options.matchWindowMs, direction: options.direction };
    await db.decide(parameters);
    await reportVerdicts(report, {
      statusRows: db.statusRows(),
      candidatePairs: () => db.candidatePairs(),
      attemptVerdicts: () => db.attemptVerdicts(),
      unknownToTwilio: () => db.unknownToTwilio(),
      redactDigits: options.redactDigits,
    });
    return summaryOf(options, started, scan, twilioRead, await report.close({ archive: scan, twilio: twilioRead }));
  } finally {
    db.close();
  }
}
