import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AlertFacts, RecordFacts } from '../../domain/archiveLine';
import type { CompactRecordBatch } from '../../domain/compactRecords';
import type { ArchiveObject, ArchiveStore } from './archiveStore';
import type { ScanReport } from './scanReport';
import type { FromScanThread, ScanThreadData, ToScanThread } from './scanThreadMessages';

/**
 * Stored bytes of one object sent to its thread and not yet taken in. The
 * reader waits above this, so memory stays a few buffers an object, and a
 * main thread slow to fold slows the reading rather than queueing messages.
 */
const IN_FLIGHT_BYTES = 1 << 20;

/**
 * A thread's young generation, in MiB. What a thread allocates is almost all
 * parse trees that die with their line; a small nursery collects them as well
 * and keeps each thread's memory down (measured at 10 million messages on two
 * threads: peak RSS 996 → 938 MiB, the same time).
 */
const YOUNG_GENERATION_MB = 8;

export interface ThreadSinks {
  onBatch(batch: CompactRecordBatch): void;
  onWhole(facts: RecordFacts, key: string): void;
  onAlert(alert: AlertFacts, key: string): void;
}

interface ObjectRead {
  key: string;
  inFlight: number;
  finished: boolean;
  wake?: () => void;
  resolve: (report: ScanReport) => void;
  reject: (error: Error) => void;
}

interface ScanThread {
  worker: Worker;
  reading: number;
}

/**
 * The thread's code: compiled JavaScript beside this file when installed; in
 * a checkout (ts-node, jest), the TypeScript source, compiled as it loads.
 */
function threadEntry(): { file: string; execArgv: string[] } {
  const compiled = join(__dirname, 'scanThread.js');
  if (__filename.endsWith('.js') && existsSync(compiled)) return { file: compiled, execArgv: [] };
  return { file: join(__dirname, 'scanThread.ts'), execArgv: ['-r', require.resolve('ts-node/register/transpile-only')] };
}

/**
 * Worker threads that each read whole archive objects (gunzip, parse, check)
 * while the main thread lists and fetches them, and folds what comes back.
 */
export class ScanThreads {
  private readonly threads: ScanThread[] = [];
  private readonly reads = new Map<number, ObjectRead>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing = false;

  constructor(
    count: number,
    data: ScanThreadData,
    private readonly sinks: ThreadSinks,
  ) {
    const { file, execArgv } = threadEntry();
    for (let t = 0; t < count; t++) {
      const worker = new Worker(file, { workerData: data, execArgv, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      worker.on('message', (message: FromScanThread) => {
        try {
          this.receive(message);
        } catch (error) {
          this.fail(error as Error);
        }
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a scan thread stopped (exit code ${code})`));
      });
      this.threads.push({ worker, reading: 0 });
    }
  }

  /** Reads one object on the least busy thread; resolves with its report when the thread is done with it. */
  async read(store: ArchiveStore, object: ArchiveObject, report: ScanReport): Promise<ScanReport> {
    if (this.failure) throw this.failure;
    const thread = this.threads.reduce((a, b) => (b.reading < a.reading ? b : a));
    const id = this.nextId++;
    let read!: ObjectRead;
    const finished = new Promise<ScanReport>((resolve, reject) => {
      read = { key: object.key, inFlight: 0, finished: false, resolve, reject };
    });
    this.reads.set(id, read);
    thread.reading++;
    const send = (message: ToScanThread, transfer: ArrayBuffer[] = []) => thread.worker.postMessage(message, transfer);
    try {
      send({ type: 'open', id, key: object.key });
      try {
        for await (const chunk of (await store.open(object.key)) as AsyncIterable<Uint8Array>) {
          // The thread stopped reading (damaged bytes): the rest of the object is not needed.
          if (read.finished || this.failure) break;
          report.bytesRead += chunk.length;
          // A copy of its own: a chunk may share its memory with others', and a transfer takes all of it.
          const bytes = new Uint8Array(chunk);
          read.inFlight += bytes.length;
          send({ type: 'bytes', id, bytes: bytes.buffer }, [bytes.buffer]);
          while (read.inFlight > IN_FLIGHT_BYTES && !read.finished && !this.failure) await new Promise<void>((wake) => (read.wake = wake));
        }
        send({ type: 'end', id });
      } catch (error) {
        send({ type: 'fail', id, reason: (error as Error).message });
      }
      return await finished;
    } finally {
      thread.reading--;
      this.reads.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private receive(message: FromScanThread): void {
    const read = this.reads.get(message.id);
    if (!read) return;
    if (message.type === 'records') {
      this.sinks.onBatch(message.batch);
      for (const facts of message.whole) this.sinks.onWhole(facts, read.key);
      for (const alert of message.alerts) this.sinks.onAlert(alert, read.key);
    } else if (message.type === 'consumed') {
      read.inFlight -= message.bytes;
      read.wake?.();
    } else {
      read.finished = true;
      read.wake?.();
      read.resolve(message.report);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const read of this.reads.values()) {
      read.wake?.();
      read.reject(this.failure);
    }
  }
}
