import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { PutRecordBatchCommand, PutRecordCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import { fallbackObjectKey, FIREHOSE_MAX_RECORD_BYTES } from '../../domain/archiveLayout';
import { backoffDelay, type Backoff } from '../../domain/backoff';
import { RecordTooLargeError } from '../../domain/errors';
import { firehoseBatches } from '../../domain/firehoseBatches';
import { FALLBACK_RESERVE_MS, MIN_ATTEMPT_MS, type ArchiveWriterSettings } from '../../config/archiveSettings';
import { createFirehoseClient, createS3Client } from './clients';
import { isRetryableAwsError, describeAwsError } from './awsErrors';

/** The record is not in the archive: neither Firehose nor the fallback took it. */
export class ArchiveWriteError extends Error {
  override name = 'ArchiveWriteError';
  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface WriteOutcome {
  destination: 'firehose' | 'fallback';
  /** Firehose attempts made (including the one that succeeded). */
  attempts: number;
  /** Firehose's RecordId, or the fallback object's key. */
  reference: string;
}

export interface BatchWriteOutcome {
  /** Lines Firehose acknowledged, each by its RecordId. */
  firehose: number;
  /** Lines written to the S3 fallback (in one object), and its key. */
  fallback: number;
  fallbackKey?: string;
  /** PutRecordBatch rounds made (each round sends every line still unacknowledged). */
  attempts: number;
}

/** Something worth a log line happened on the way to a successful write. */
export type WriterEvent =
  | { type: 'retry'; attempt: number; delayMs: number; error: string; records?: number }
  | { type: 'fallback'; attempts: number; error: string; records?: number };

/** Some entries of a PutRecordBatch answer were not acknowledged; `code` is Firehose's ErrorCode for them, when it gave one. */
class BatchEntriesFailedError extends Error {
  override name = 'BatchEntriesFailed';
  constructor(
    readonly count: number,
    readonly code: string,
  ) {
    super(`${count} record(s) failed: ${code}`);
  }
}

/** One PutRecordBatch call's result: the records it did not get acknowledged, and why. */
interface BatchAnswer {
  failed: Buffer[];
  error?: unknown;
  /** A refusal that no retry will change (a bad request, no access). */
  final?: boolean;
}

export interface ArchiveWriterDeps {
  firehose?: FirehoseClient;
  s3?: S3Client;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onEvent?: (event: WriterEvent) => void;
}

/** Backoff: full jitter over an exponential ceiling, short enough for a few retries inside the budget. */
const BACKOFF: Backoff = { baseMs: 50, capMs: 1000 };

/** A PutRecord answer that names no record: not an acknowledgement. */
class MissingRecordIdError extends Error {
  override name = 'MissingRecordIdError';
  constructor() {
    super('Firehose answered without a RecordId');
  }
}

/**
 * Writes one archive line: Firehose `PutRecord` with retries inside a time
 * budget, then, if configured, straight to S3 under the fallback prefix.
 * Resolves only once a destination has acknowledged the line. A line over
 * Firehose's record limit goes straight to the fallback, or, without one,
 * throws RecordTooLargeError.
 */
export class ArchiveWriter {
  private readonly firehose: FirehoseClient;
  private s3?: Promise<S3Client>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly config: ArchiveWriterSettings,
    private readonly deps: ArchiveWriterDeps = {},
  ) {
    this.firehose = deps.firehose ?? createFirehoseClient(config, config.firehoseEndpoint);
    if (deps.s3) this.s3 = Promise.resolve(deps.s3);
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => delay(ms));
    this.random = deps.random ?? Math.random;
  }

  async write(line: string, recordedAt: Date): Promise<WriteOutcome> {
    const started = this.now();
    const deadline = started + this.config.budgetMs;
    const firehoseDeadline = this.config.fallback ? deadline - FALLBACK_RESERVE_MS : deadline;
    const data = Buffer.from(line, 'utf8');
    if (data.length > FIREHOSE_MAX_RECORD_BYTES) return this.writeTooLarge(data, recordedAt, deadline);

    let attempts = 0;
    let lastError: unknown;
    for (;;) {
      const remaining = firehoseDeadline - this.now();
      if (remaining < MIN_ATTEMPT_MS) break;
      attempts++;
      try {
        const result = await this.firehose.send(new PutRecordCommand({ DeliveryStreamName: this.config.streamName, Record: { Data: data } }), {
          abortSignal: AbortSignal.timeout(Math.min(this.config.attemptTimeoutMs, remaining)),
        });
        // Firehose acknowledges a record by its id; an answer without one acknowledges nothing.
        if (!result.RecordId) throw new MissingRecordIdError();
        return { destination: 'firehose', attempts, reference: result.RecordId };
      } catch (error) {
        lastError = error;
        if (!isRetryableAwsError(error) && !(error instanceof MissingRecordIdError)) break;
        const delayMs = backoffDelay(attempts, BACKOFF, this.random());
        if (this.now() + delayMs + MIN_ATTEMPT_MS > firehoseDeadline) break;
        this.deps.onEvent?.({ type: 'retry', attempt: attempts, delayMs, error: describeAwsError(error) });
        await this.sleep(delayMs);
      }
    }

    const firehoseFailure = `Firehose did not take the record after ${attempts} attempt(s): ${describeAwsError(lastError)}`;
    if (!this.config.fallback) throw new ArchiveWriteError(firehoseFailure, attempts, { cause: lastError });
    this.deps.onEvent?.({ type: 'fallback', attempts, error: describeAwsError(lastError) });
    try {
      const key = await this.writeFallback(data, recordedAt, deadline);
      return { destination: 'fallback', attempts, reference: key };
    } catch (fallbackError) {
      throw new ArchiveWriteError(`${firehoseFailure}; the S3 fallback failed too: ${describeAwsError(fallbackError)}`, attempts, {
        cause: fallbackError,
      });
    }
  }

  /**
   * Writes several lines (one Event Streams delivery) with PutRecordBatch
   * inside one time budget. Each round resends only the lines Firehose has not
   * acknowledged by a RecordId (the SDK never retries per-record failures);
   * what is left when the Firehose time is up goes to the fallback as one
   * object. Resolves only when every line is acknowledged somewhere; a line
   * over Firehose's record limit goes to the fallback, or, without one,
   * throws RecordTooLargeError after the others are written.
   */
  async writeBatch(lines: readonly string[], recordedAt: Date, budgetMs = this.config.budgetMs): Promise<BatchWriteOutcome> {
    const deadline = this.now() + budgetMs;
    const firehoseDeadline = this.config.fallback ? deadline - FALLBACK_RESERVE_MS : deadline;
    const records = lines.map((line) => Buffer.from(line, 'utf8'));
    const tooLarge = records.filter((data) => data.length > FIREHOSE_MAX_RECORD_BYTES);
    let pending: Buffer[] = records.filter((data) => data.length <= FIREHOSE_MAX_RECORD_BYTES);
    const taken = pending.length;
    let attempts = 0;
    let lastError: unknown;
    while (pending.length > 0) {
      const remaining = firehoseDeadline - this.now();
      if (remaining < MIN_ATTEMPT_MS) break;
      attempts++;
      const timeoutMs = Math.min(this.config.attemptTimeoutMs, remaining);
      const answers = await Promise.all([...firehoseBatches(pending)].map((batch) => this.putBatch(batch, timeoutMs)));
      pending = answers.flatMap((answer) => answer.failed);
      if (pending.length === 0) break;
      lastError = answers.find((answer) => answer.error !== undefined)?.error;
      if (answers.some((answer) => answer.final)) break;
      const delayMs = backoffDelay(attempts, BACKOFF, this.random());
      if (this.now() + delayMs + MIN_ATTEMPT_MS > firehoseDeadline) break;
      this.deps.onEvent?.({ type: 'retry', attempt: attempts, delayMs, error: describeAwsError(lastError), records: pending.length });
      await this.sleep(delayMs);
    }
    const acknowledged = taken - pending.length;
    const leftover = [...pending, ...tooLarge];
    if (leftover.length === 0) return { firehose: acknowledged, fallback: 0, attempts };

    const firehoseFailure =
      pending.length > 0
        ? `Firehose did not take ${pending.length} of ${records.length} record(s) after ${attempts} round(s): ${describeAwsError(lastError)}`
        : `${tooLarge.length} record(s) over Firehose's ${FIREHOSE_MAX_RECORD_BYTES} bytes`;
    if (!this.config.fallback) {
      if (pending.length > 0) throw new ArchiveWriteError(firehoseFailure, attempts, { cause: lastError });
      throw new RecordTooLargeError(Math.max(...tooLarge.map((data) => data.length)), FIREHOSE_MAX_RECORD_BYTES);
    }
    this.deps.onEvent?.({ type: 'fallback', attempts, error: firehoseFailure, records: leftover.length });
    try {
      const fallbackKey = await this.writeFallback(Buffer.concat(leftover), recordedAt, deadline);
      return { firehose: acknowledged, fallback: leftover.length, fallbackKey, attempts };
    } catch (fallbackError) {
      throw new ArchiveWriteError(`${firehoseFailure}; the S3 fallback failed too: ${describeAwsError(fallbackError)}`, attempts, { cause: fallbackError });
    }
  }

  private async putBatch(batch: Buffer[], timeoutMs: number): Promise<BatchAnswer> {
    try {
      const answer = await this.firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: this.config.streamName, Records: batch.map((Data) => ({ Data })) }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      const responses = answer.RequestResponses ?? [];
      // An answer that does not line up with the request acknowledges none of it.
      if (responses.length !== batch.length) {
        return { failed: batch, error: new BatchEntriesFailedError(batch.length, `${responses.length} response(s) for ${batch.length} record(s)`) };
      }
      const failed = batch.filter((_, i) => responses[i].ErrorCode || !responses[i].RecordId);
      if (failed.length === 0) return { failed };
      const code = responses.find((response) => response.ErrorCode)?.ErrorCode ?? 'NoRecordId';
      return { failed, error: new BatchEntriesFailedError(failed.length, code) };
    } catch (error) {
      return { failed: batch, error, final: !isRetryableAwsError(error) };
    }
  }

  private async writeTooLarge(data: Buffer, recordedAt: Date, deadline: number): Promise<WriteOutcome> {
    if (!this.config.fallback) throw new RecordTooLargeError(data.length, FIREHOSE_MAX_RECORD_BYTES);
    this.deps.onEvent?.({ type: 'fallback', attempts: 0, error: `the record is ${data.length} bytes, over Firehose's ${FIREHOSE_MAX_RECORD_BYTES}` });
    try {
      return { destination: 'fallback', attempts: 0, reference: await this.writeFallback(data, recordedAt, deadline) };
    } catch (fallbackError) {
      throw new ArchiveWriteError(`the record is too large for Firehose and the S3 fallback failed: ${describeAwsError(fallbackError)}`, 0, {
        cause: fallbackError,
      });
    }
  }

  private async writeFallback(data: Buffer, recordedAt: Date, deadline: number): Promise<string> {
    const fallback = this.config.fallback!;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    this.s3 ??= createS3Client(this.config, this.config.s3Endpoint);
    const s3 = await this.s3;
    const key = fallbackObjectKey(fallback.prefix, this.config.streamName, recordedAt, randomUUID());
    await s3.send(
      new PutObjectCommand({
        Bucket: fallback.bucket,
        Key: key,
        Body: data,
        ContentType: 'application/x-ndjson',
        // Buckets under Object Lock refuse uploads without an integrity header.
        ContentMD5: createHash('md5').update(data).digest('base64'),
      }),
      { abortSignal: AbortSignal.timeout(Math.max(MIN_ATTEMPT_MS, deadline - this.now())) },
    );
    return key;
  }
}
