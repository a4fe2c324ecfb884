import PQueue from 'p-queue';
import type { ArchiveAppender } from '../adapters/archive/archiveAppender';
import { archiveReadSummary, type ArchiveReadSummary, type ScanProgress, type ScanReport } from '../adapters/archive/archiveScanner';
import type { ArchiveStore } from '../adapters/archive/archiveStore';
import { scanWindow } from '../adapters/archive/windowScan';
import type { MessageFetcher } from '../adapters/twilio/messageFetcher';
import type { ArchiveLayout } from '../config/archiveSettings';
import { toArchiveLine } from '../domain/archiveRecord';
import { MessageStates } from '../domain/messageState';
import { buildNotFoundRecord, buildPollRecord } from '../domain/pollRecord';
import { classifyMessage, type StaleCriteria } from '../domain/staleness';
import { maskReasons } from '../domain/redaction';
import { isFinalStatus } from '../domain/statusRules';
import type { WarehouseSummary } from '../warehouse/warehouseRead';

export interface PollOptions {
  store: ArchiveStore;
  layout: ArchiveLayout;
  /** Go on when the window holds no archive object at all (otherwise EmptyArchiveError). */
  allowEmpty: boolean;
  criteria: StaleCriteria & { since: Date };
  /** Scanned before `since`: Firehose names objects after their oldest record, up to its buffer interval earlier. */
  slackMs: number;
  fetcher: MessageFetcher;
  /** Where poll records go; null for a dry run (nothing fetched, nothing written). */
  appender: ArchiveAppender | null;
  /** Messages fetched at once. */
  concurrency: number;
  /** Threads that parse the archive (archiveScanner.ts). @default 1 */
  threads?: number;
  redactDigits: number;
  now?: () => Date;
  onProgress?: (progress: PollProgress) => void;
}

export type PollProgress = ({ phase: 'scan' } & ScanProgress) | { phase: 'fetch'; done: number; total: number };

export interface Attention {
  message_sid: string;
  reason: string;
}

export interface PollSummary {
  window: { since: string; until: string | null; scanned_from: string; scanned_to: string; older_than_ms: number };
  archive: string;
  appended_to: string | null;
  dry_run: boolean;
  counts: {
    scanned_records: number;
    messages: number;
    stale: number;
    fetched: number;
    now_final: number;
    still_pending: number;
    not_found: number;
    failed: number;
  };
  /** Messages that still need a person: fetch failures and messages still pending after the poll. */
  needs_attention: Attention[];
  archive_read: ArchiveReadSummary;
  duration_ms: number;
  /** With --engine athena: what its queries scanned and cost. */
  warehouse?: WarehouseSummary;
}

/** Poll records are appended in groups this size, so a long run archives as it goes. */
const APPEND_EVERY = 200;

/**
 * Finds the messages whose status the archive has not heard as final for too
 * long, fetches each from Twilio's API, and appends what Twilio says as a
 * `poll` record. One failing message never stops the run.
 */
export async function pollStale(options: PollOptions): Promise<PollSummary> {
  const started = Date.now();
  const { criteria } = options;
  const scanFrom = new Date(criteria.since.getTime() - options.slackMs);
  const scanTo = criteria.now;

  const states = new MessageStates();
  const scan = await scanWindow(options.store, options.layout, scanFrom, scanTo, {
    allowEmpty: options.allowEmpty,
    redactDigits: options.redactDigits,
    states,
    threads: options.threads,
    onProgress: (p) => options.onProgress?.({ phase: 'scan', ...p }),
  });

  const stale: StaleMessage[] = [];
  for (const [sid, state] of states.entries()) {
    if (classifyMessage(state, criteria) === 'stale') stale.push({ sid, accountSid: state.accountSid });
  }
  return pollMessages(options, { started, scanFrom, scanTo, scan, messages: states.size, stale });
}

/** A message to ask Twilio about. */
export interface StaleMessage {
  sid: string;
  accountSid: string;
}

/** What the archive read found, however it was read. */
export interface StaleFound {
  started: number;
  scanFrom: Date;
  scanTo: Date;
  scan: ScanReport;
  messages: number;
  stale: StaleMessage[];
}

/**
 * Fetches each stale message from Twilio and appends what it says (or, in a
 * dry run, lists them), then summarises the run: the same whichever engine
 * found them.
 */
export async function pollMessages(options: PollOptions, found: StaleFound): Promise<PollSummary> {
  const now = options.now ?? (() => new Date());
  const { criteria } = options;
  const { stale, scan } = found;
  const counts = {
    scanned_records: scan.records,
    messages: found.messages,
    stale: stale.length,
    fetched: 0,
    now_final: 0,
    still_pending: 0,
    not_found: 0,
    failed: 0,
  };
  const needsAttention: Attention[] = [];

  if (options.appender) {
    const appender = options.appender;
    let pendingLines: { sid: string; line: string }[] = [];
    const flush = async () => {
      const batch = pendingLines;
      pendingLines = [];
      if (batch.length === 0) return;
      try {
        await appender.append(batch.map((b) => b.line));
      } catch (error) {
        // Fetched, but not archived: the archive does not know what Twilio said. Count it as a failure.
        for (const { sid } of batch) {
          counts.failed++;
          needsAttention.push({ message_sid: sid, reason: `poll record not archived: ${(error as Error).message}` });
        }
      }
    };
    const queue = new PQueue({ concurrency: options.concurrency });
    let done = 0;
    for (const { sid, accountSid } of stale) {
      void queue.add(async () => {
        try {
          const result = await options.fetcher.fetch(accountSid, sid);
          counts.fetched++;
          if (result.found) {
            const record = buildPollRecord(result.resource, now(), options.redactDigits);
            if (isFinalStatus(record.status ?? '')) counts.now_final++;
            else {
              counts.still_pending++;
              needsAttention.push({ message_sid: sid, reason: `still ${record.status} at Twilio` });
            }
            pendingLines.push({ sid, line: toArchiveLine(record) });
          } else {
            counts.not_found++;
            needsAttention.push({ message_sid: sid, reason: 'Twilio has no such message (404): deleted, or never created' });
            pendingLines.push({ sid, line: toArchiveLine(buildNotFoundRecord(accountSid, sid, result.answer, now(), options.redactDigits)) });
          }
        } catch (error) {
          counts.failed++;
          needsAttention.push({ message_sid: sid, reason: `could not fetch: ${(error as Error).message}` });
        }
        if (pendingLines.length >= APPEND_EVERY) await flush();
        options.onProgress?.({ phase: 'fetch', done: ++done, total: stale.length });
      });
    }
    await queue.onIdle();
    await flush();
  } else {
    for (const { sid } of stale) needsAttention.push({ message_sid: sid, reason: 'stale (dry run: not fetched)' });
  }

  return {
    window: {
      since: criteria.since.toISOString(),
      until: criteria.until?.toISOString() ?? null,
      scanned_from: found.scanFrom.toISOString(),
      scanned_to: found.scanTo.toISOString(),
      older_than_ms: criteria.olderThanMs,
    },
    archive: options.store.description,
    appended_to: options.appender?.description ?? null,
    dry_run: options.appender === null,
    counts,
    needs_attention: maskReasons(needsAttention, options.redactDigits).sort((a, b) => (a.message_sid < b.message_sid ? -1 : 1)),
    archive_read: archiveReadSummary(scan, options.redactDigits),
    duration_ms: Date.now() - found.started,
  };
}

/** 0: every stale message resolved or legitimately pending; 1: something could not be fetched, archived or read. */
export function pollExitCode(summary: PollSummary): 0 | 1 {
  return summary.counts.failed > 0 || !summary.archive_read.complete ? 1 : 0;
}
