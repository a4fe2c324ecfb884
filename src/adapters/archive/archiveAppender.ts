import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { directObjectKey } from '../../domain/archiveLayout';
import { backoffDelay, type Backoff } from '../../domain/backoff';
import { firehoseBatches } from '../../domain/firehoseBatches';
import { ArchiveWriteError } from '../aws/archiveWriter';
import { describeAwsError, isRetryableAwsError } from '../aws/awsErrors';
import { describeLocation } from './archiveStore';
import type { ArchiveStore } from './archiveStore';

/** Appends archive lines (each ending in `\n`). Resolves only when every line is acknowledged. */
export interface ArchiveAppender {
  readonly description: string;
  append(lines: string[]): Promise<void>;
}

/** What an appender has put into the archive so far: a run that fails afterwards says exactly this. */
export interface AppendTally {
  /** Records the archive acknowledged. */
  records: number;
  /** The objects written, for a direct append (none through Firehose). */
  keys: string[];
}

/** "Appended 2 record(s) to <where>: <keys>." */
export function describeTally(tally: AppendTally, where: string): string {
  return `Appended ${tally.records} record(s) to ${where}${tally.keys.length > 0 ? `: ${tally.keys.join(', ')}` : ''}.`;
}

/**
 * Straight into the archive location: one new object per call under the
 * layout's direct prefix (`direct/YYYY/MM/DD/HH/` by default), visible to the next reader at once. The hour folder
 * is the write time, or `fileUnder` when the records concern an earlier window
 * (the reconciliation's corrections), so that a reader of that window finds
 * them however late they were written.
 */
export class DirectArchiveAppender implements ArchiveAppender {
  readonly tally: AppendTally = { records: 0, keys: [] };

  constructor(
    private readonly store: ArchiveStore,
    /** The archive layout's direct prefix, e.g. `direct/`. */
    private readonly prefix: string,
    /** Names the writer in the object key, e.g. `poll`. */
    private readonly writer: string,
    private readonly now: () => Date = () => new Date(),
    private readonly fileUnder?: Date,
  ) {}

  get description(): string {
    return describeLocation(this.store, this.prefix);
  }

  async append(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const key = directObjectKey(this.prefix, this.writer, this.fileUnder ?? this.now(), randomUUID());
    await this.store.put(key, Buffer.from(lines.join(''), 'utf8'));
    this.tally.records += lines.length;
    this.tally.keys.push(key);
  }
}

const MAX_ATTEMPTS = 6;
/** Whole-batch retries: no time budget here, so longer waits (up to 5 s). */
const BATCH_BACKOFF: Backoff = { baseMs: 200, capMs: 5000 };

/**
 * Through Firehose, like every other record: PutRecordBatch in batches within
 * Firehose's limits, retrying the records a batch answer marks as failed (the
 * SDK never does), whole batches that fail transiently, and whole batches
 * whose answer does not account for every record.
 */
export class FirehoseArchiveAppender implements ArchiveAppender {
  readonly tally: AppendTally = { records: 0, keys: [] };

  constructor(
    private readonly firehose: FirehoseClient,
    private readonly streamName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => delay(ms),
    private readonly random: () => number = Math.random,
  ) {}

  get description(): string {
    return `Firehose stream ${this.streamName}`;
  }

  async append(lines: string[]): Promise<void> {
    for (const batch of firehoseBatches(lines.map((l) => Buffer.from(l, 'utf8')))) await this.putBatch(batch);
  }

  private async putBatch(records: Buffer[]): Promise<void> {
    let pending = records;
    let lastError = '';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(backoffDelay(attempt - 1, BATCH_BACKOFF, this.random()));
      try {
        const answer = await this.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: this.streamName, Records: pending.map((Data) => ({ Data })) }));
        const responses = answer.RequestResponses ?? [];
        const errorEntries = responses.filter((r) => r.ErrorCode).length;
        // An answer that does not account for each record acknowledges none of them: retry the whole batch.
        if (responses.length !== pending.length || (answer.FailedPutCount ?? 0) !== errorEntries) {
          lastError = `an inconsistent answer: ${responses.length} response(s) for ${pending.length} record(s), FailedPutCount ${answer.FailedPutCount} for ${errorEntries} failed entries`;
          continue;
        }
        // A record is acknowledged by its RecordId; an entry with neither an id nor an error is not an acknowledgement.
        const failed = pending.filter((_, i) => responses[i].ErrorCode || !responses[i].RecordId);
        this.tally.records += pending.length - failed.length;
        if (failed.length > 0) lastError = `${failed.length} record(s) failed: ${responses.find((r) => r.ErrorCode)?.ErrorCode ?? 'no RecordId'}`;
        pending = failed;
      } catch (error) {
        if (!isRetryableAwsError(error)) throw new ArchiveWriteError(`Firehose refused the batch: ${describeAwsError(error)}`, attempt, { cause: error });
        lastError = describeAwsError(error);
      }
    }
    if (pending.length > 0) {
      throw new ArchiveWriteError(`${pending.length} of ${records.length} record(s) not appended after ${MAX_ATTEMPTS} attempts: ${lastError}`, MAX_ATTEMPTS);
    }
  }
}
