import type { AlertFacts, RecordFacts } from '../../domain/archiveLine';
import { RECORD_SOURCES, type RecordSource } from '../../domain/archiveRecord';
import type { MessageStates } from '../../domain/messageState';
import type { ArchiveObject, ArchiveStore } from './archiveStore';
import { lineParserFor, readObject, type RecordRouting, type RecordSink } from './objectReader';
import { addObjectReport, byLocation, emptyReport, problemKeeper, type ScanProgress, type ScanReport } from './scanReport';
import { ScanThreads } from './scanThreads';

export { archiveReadSummary, type ArchiveReadSummary, type ReadProblem, type ScanProgress, type ScanReport } from './scanReport';

export interface ScanOptions {
  /** Prefixes relative to the archive root to list, e.g. `firehose/2026/11/26/15/`. */
  prefixes: string[];
  /** Every record that names a message is folded into these states, except records of the `foldExcept` sources. */
  states?: MessageStates;
  foldExcept?: readonly RecordSource[];
  /** Records of the `wholeSources` sources (default: every source) are handed over whole, with the key of their object. */
  onRecord?: (facts: RecordFacts, key: string) => void;
  wholeSources?: readonly RecordSource[];
  /** Objects under `cloudEvents.prefix` hold CloudEvents (the Kinesis path): read through the Event Streams mapping. */
  cloudEvents?: RecordRouting['cloudEvents'];
  /** Debugger alerts (never folded), with the key of their object. */
  onAlert?: (alert: AlertFacts, key: string) => void;
  /**
   * Threads that parse: 1 reads every object in this thread; N starts N
   * worker threads that read whole objects while this one lists, fetches and
   * folds. The outcome is the same either way. @default 1
   */
  threads?: number;
  /** Objects read at once (S3 latency hides behind this). @default 8, or twice the threads */
  concurrency?: number;
  onProgress?: (progress: ScanProgress) => void;
  /** @default 1000 */
  maxProblemsKept?: number;
}

function routingOf(options: ScanOptions): RecordRouting {
  return {
    fold: options.states !== undefined,
    alerts: options.onAlert !== undefined,
    cloudEvents: options.cloudEvents,
    foldExcept: options.foldExcept ?? [],
    whole: options.onRecord ? (options.wholeSources ?? RECORD_SOURCES) : [],
  };
}

/**
 * One object read as a scan reads it, its records passed over: where another
 * engine counted malformed or flagged lines, this names each by line number
 * (an object under `cloudEvents.prefix` read as the scan reads the Kinesis path's).
 */
export async function readOneObject(store: ArchiveStore, key: string, maxProblemsKept = 1000, cloudEvents?: RecordRouting['cloudEvents']): Promise<ScanReport> {
  const report = emptyReport();
  report.objectsListed = 1;
  const ignore: RecordSink = { whole: new Set(), fold: () => undefined, record: () => undefined };
  const parseLine = lineParserFor(key, { cloudEvents });
  await readObject(() => store.open(key), key, ignore, report, problemKeeper(report, maxProblemsKept), maxProblemsKept, undefined, parseLine);
  report.objectsRead = 1;
  return report;
}

/**
 * Streams every record under the given prefixes. Memory holds a few objects'
 * worth of buffers at a time, whatever the archive's size. A corrupt object
 * or a malformed line is counted and reported with its key and line number,
 * and the scan goes on.
 */
export async function scanArchive(store: ArchiveStore, options: ScanOptions): Promise<ScanReport> {
  const report = emptyReport();
  const keep = options.maxProblemsKept ?? 1000;
  const problem = problemKeeper(report, keep);
  const routing = routingOf(options);
  const { states, onRecord, onAlert } = options;
  const threads = Math.max(1, Math.floor(options.threads ?? 1));

  let readOne: (object: ArchiveObject) => Promise<void>;
  let pool: ScanThreads | undefined;
  if (threads === 1) {
    const foldExcept = new Set(routing.foldExcept);
    const whole = new Set(routing.whole);
    readOne = (object) => {
      const sink: RecordSink = {
        whole,
        fold: (facts) => {
          if (states && !foldExcept.has(facts.source)) states.fold(facts);
        },
        record: (facts) => onRecord?.(facts, object.key),
        alert: onAlert && ((alert) => onAlert(alert, object.key)),
      };
      return readObject(() => store.open(object.key), object.key, sink, report, problem, keep, undefined, lineParserFor(object.key, routing));
    };
  } else {
    const threadPool = new ScanThreads(
      threads,
      { routing, keep },
      {
        onBatch: (batch) => states?.foldCompact(batch),
        onWhole: (facts, key) => onRecord?.(facts, key),
        onAlert: (alert, key) => onAlert?.(alert, key),
      },
    );
    pool = threadPool;
    readOne = async (object) => addObjectReport(report, await threadPool.read(store, object, report), keep);
  }

  // Listing and reading overlap: readers take objects as soon as a list page names them.
  const queue: ArchiveObject[] = [];
  let listingDone = false;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  const listing = (async () => {
    try {
      for (const prefix of options.prefixes) {
        for await (const object of store.list(prefix)) {
          queue.push(object);
          report.objectsListed++;
          wakeAll();
        }
      }
    } finally {
      listingDone = true;
      wakeAll();
    }
  })();

  const reader = async () => {
    for (;;) {
      const object = queue.shift();
      if (!object) {
        if (listingDone) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      await readOne(object);
      report.objectsRead++;
      options.onProgress?.(report);
    }
  };
  const readers = Array.from({ length: options.concurrency ?? Math.max(8, threads * 2) }, reader);
  try {
    await Promise.all([listing, ...readers]);
  } finally {
    await pool?.close();
  }
  // In the order of the archive, not of which read ended first: the same archive gives the same report every run.
  report.problems.sort(byLocation);
  report.flagged.sort(byLocation);
  return report;
}
