import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { PutRecordCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import { fallbackObjectKey, FIREHOSE_MAX_RECORD_BYTES } from '../../domain/archiveLayout';
import { backoffDelay, type Backoff } from '../../domain/backoff';
import { RecordTooLargeError } from '../../domain/errors';
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

/** Something worth a log line happened on the way to a successful write. */
export type WriterEvent = { type: 'retry'; attempt: number; delayMs: number; error: string } | { type: 'fallback'; attempts: number; error: string };

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
