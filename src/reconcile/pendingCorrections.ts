import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveAppender } from '../adapters/archive/archiveAppender';
import { openLines } from '../adapters/streams/textLines';

/** Firehose takes up to 500 records a batch; a direct append writes one object a batch. */
const BATCH = 500;

export interface AppendOutcome {
  appended: number;
  failed: number;
  /** The first append error, if any. */
  error: string | null;
}

/**
 * The corrections a run finds, held in a local file (not in memory: a large
 * day can have hundreds of thousands) until the run knows whether its result
 * is plausible enough to append to a write-once archive. Then appended in
 * batches, or discarded.
 */
export class PendingCorrections {
  private readonly dir = mkdtempSync(join(tmpdir(), 'reconcile-corrections-'));
  private readonly path = join(this.dir, 'corrections.ndjson');
  private readonly file: WriteStream = createWriteStream(this.path);
  private writeError: Error | null = null;
  count = 0;

  constructor() {
    this.file.on('error', (error) => (this.writeError ??= error));
  }

  /** One archive line, ending in `\n`. */
  add(line: string): void {
    this.file.write(line);
    this.count++;
  }

  /** Appends every held line in batches; a failed batch is counted and the rest still go. Removes the file. */
  async appendTo(appender: ArchiveAppender): Promise<AppendOutcome> {
    const outcome: AppendOutcome = { appended: 0, failed: 0, error: null };
    try {
      if (!(await this.close()))
        return { appended: 0, failed: this.count, error: `the corrections could not be held on local disk: ${this.writeError?.message}` };
      const append = async (lines: string[]) => {
        try {
          await appender.append(lines);
          outcome.appended += lines.length;
        } catch (error) {
          outcome.failed += lines.length;
          outcome.error ??= (error as Error).message;
        }
      };
      let batch: string[] = [];
      for await (const lines of await openLines(createReadStream(this.path))) {
        for (const line of lines) {
          if (line === '') continue;
          batch.push(`${line}\n`);
          if (batch.length === BATCH) {
            await append(batch);
            batch = [];
          }
        }
      }
      if (batch.length > 0) await append(batch);
      // Lines that never reached the file are lines not appended.
      outcome.failed += this.count - outcome.appended - outcome.failed;
    } finally {
      this.discard();
    }
    return outcome;
  }

  /** Drops every held line. */
  discard(): void {
    this.file.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Whether every line reached the file. */
  private async close(): Promise<boolean> {
    await new Promise<void>((resolve) => this.file.end(resolve));
    return this.writeError === null;
  }
}
