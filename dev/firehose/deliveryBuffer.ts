import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import type { DeliveryDestination } from './destinations';

export interface BufferingHints {
  /** Deliver when this many bytes are buffered. Firehose: 1–128 MiB, default 5 MiB. */
  sizeBytes: number;
  /** Deliver this long after the oldest buffered record arrived. Firehose: 0–900 s, default 300 s. */
  intervalMs: number;
}

export interface DeliveryBufferOptions {
  streamName: string;
  /** S3 key prefix, e.g. `firehose/`. */
  prefix: string;
  hints: BufferingHints;
  gzip: boolean;
  destination: DeliveryDestination;
  now?: () => Date;
  onDelivered?: (key: string, records: number) => void;
  onDeliveryError?: (error: unknown, records: number) => void;
}

interface Chunk {
  oldestArrival: Date;
  records: Buffer[];
  bytes: number;
}

/** Delivery retries back off up to this, like Firehose retrying S3 for as long as it keeps data. */
const MAX_RETRY_DELAY_MS = 5000;

/**
 * One delivery stream's buffer: records are concatenated exactly as sent (no
 * delimiter added, as Firehose does) and delivered as one object when the size
 * or interval hint is reached. A failed delivery is kept and retried; nothing
 * taken is ever dropped.
 */
export class DeliveryBuffer {
  private current: Chunk | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly undelivered: Chunk[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 250;
  private delivering: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly options: DeliveryBufferOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Records taken and not yet delivered. */
  get pendingRecords(): number {
    return (this.current?.records.length ?? 0) + this.undelivered.reduce((n, c) => n + c.records.length, 0);
  }

  add(record: Buffer): void {
    if (!this.current) {
      this.current = { oldestArrival: this.now(), records: [], bytes: 0 };
      this.timer = setTimeout(() => void this.flush(), this.options.hints.intervalMs);
      this.timer.unref();
    }
    this.current.records.push(record);
    this.current.bytes += record.length;
    if (this.current.bytes >= this.options.hints.sizeBytes) void this.flush();
  }

  /** Delivers everything buffered; resolves when every chunk is delivered or has failed once more. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current) {
      this.undelivered.push(this.current);
      this.current = undefined;
    }
    // One delivery pass at a time keeps objects in arrival order.
    this.delivering = this.delivering.then(() => this.deliverPending());
    return this.delivering;
  }

  /** Stops the timers; what is still undelivered stays readable through `takeUndelivered`. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Hands over what could not be delivered (for a last-resort spill on shutdown). */
  takeUndelivered(): { key: string; body: Buffer; records: number }[] {
    const chunks = this.undelivered.splice(0);
    return chunks.map((chunk) => this.render(chunk));
  }

  private render(chunk: Chunk): { key: string; body: Buffer; records: number } {
    const { streamName, prefix, gzip } = this.options;
    const raw = Buffer.concat(chunk.records);
    const key = firehoseObjectKey({ prefix, streamName, streamVersion: 1, oldestArrival: chunk.oldestArrival, uuid: randomUUID(), gzip });
    return { key, body: gzip ? gzipSync(raw) : raw, records: chunk.records.length };
  }

  private async deliverPending(): Promise<void> {
    while (this.undelivered.length > 0) {
      const chunk = this.undelivered[0];
      const object = this.render(chunk);
      try {
        await this.options.destination.put(object.key, object.body);
      } catch (error) {
        this.options.onDeliveryError?.(error, object.records);
        this.scheduleRetry();
        return;
      }
      this.undelivered.shift();
      this.retryDelayMs = 250;
      this.options.onDelivered?.(object.key, object.records);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2);
  }
}
