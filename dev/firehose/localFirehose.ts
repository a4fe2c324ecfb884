import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { FIREHOSE_MAX_RECORD_BYTES } from '../../src/domain/archiveLayout';
import { DeliveryBuffer, type BufferingHints } from './deliveryBuffer';
import type { DeliveryDestination } from './destinations';
import { faultOfMix, HEALTHY, parseFaultPlan, type FaultPlan } from './faults';
import { BodyTooLargeError, close, listen, portOf, readBody } from '../httpServer';

export interface LocalFirehoseOptions {
  /** Delivery streams this endpoint knows; any other name gets ResourceNotFoundException. */
  streamNames: string[];
  destination: DeliveryDestination;
  /** S3 key prefix of delivered objects. @default 'firehose/' */
  prefix?: string;
  hints?: Partial<BufferingHints>;
  /** Compress delivered objects with gzip (keys end `.gz`). @default false */
  gzip?: boolean;
  /** Folder for objects that could not be delivered by the time the endpoint stops. */
  spillDir?: string;
  port?: number;
  host?: string;
  log?: (message: string) => void;
}

export interface LocalFirehoseStats {
  requests: number;
  recordsTaken: number;
  recordsRefused: number;
  objectsDelivered: number;
  recordsDelivered: number;
  deliveryErrors: number;
}

/** Firehose's own limits on PutRecordBatch. */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Enough for a full batch after base64 and JSON. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const TARGET_PREFIX = 'Firehose_20150804.';

class FirehoseError extends Error {
  override name = 'FirehoseError';
  constructor(
    readonly type: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local endpoint that speaks Kinesis Data Firehose's JSON protocol
 * (PutRecord, PutRecordBatch), buffers like Firehose and delivers objects in
 * Firehose's S3 key layout. The production AWS SDK client talks to it over
 * HTTP through its `endpoint` setting.
 *
 * Admin routes, for tests and the local stack: `POST /__local/faults` (a
 * FaultPlan), `POST /__local/flush`, `GET /__local/stats`.
 */
export class LocalFirehose {
  private server: Server | undefined;
  private readonly buffers = new Map<string, DeliveryBuffer>();
  private faults: FaultPlan = HEALTHY;
  private faultsLeft = Infinity;
  readonly stats: LocalFirehoseStats = {
    requests: 0,
    recordsTaken: 0,
    recordsRefused: 0,
    objectsDelivered: 0,
    recordsDelivered: 0,
    deliveryErrors: 0,
  };
  private readonly log: (message: string) => void;

  constructor(private readonly options: LocalFirehoseOptions) {
    this.log = options.log ?? (() => undefined);
    const hints: BufferingHints = {
      sizeBytes: options.hints?.sizeBytes ?? 5 * 1024 * 1024,
      intervalMs: options.hints?.intervalMs ?? 300_000,
    };
    for (const streamName of options.streamNames) {
      this.buffers.set(
        streamName,
        new DeliveryBuffer({
          streamName,
          prefix: options.prefix ?? 'firehose/',
          hints,
          gzip: options.gzip ?? false,
          destination: options.destination,
          onDelivered: (key, records) => {
            this.stats.objectsDelivered++;
            this.stats.recordsDelivered += records;
            this.log(`delivered ${records} record(s) to ${key}`);
          },
          onDeliveryError: (error, records) => {
            this.stats.deliveryErrors++;
            this.log(`delivery of ${records} record(s) failed, will retry: ${(error as Error).message}`);
          },
        }),
      );
    }
  }

  /** The endpoint URL for the SDK's `endpoint` setting. */
  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${portOf(this.server, 'the local Firehose')}`;
  }

  async start(): Promise<string> {
    this.server = await listen((req, res) => void this.handle(req, res), this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    return this.url;
  }

  setFaults(plan: FaultPlan): void {
    this.faults = plan;
    this.faultsLeft = plan.count ?? Infinity;
  }

  /** Delivers everything buffered now. */
  async flush(): Promise<void> {
    await Promise.all([...this.buffers.values()].map((buffer) => buffer.flush()));
  }

  /** Records taken but not yet delivered. */
  get pendingRecords(): number {
    return [...this.buffers.values()].reduce((n, b) => n + b.pendingRecords, 0);
  }

  /**
   * Stops taking requests, then delivers everything it has taken. What still
   * cannot be delivered is written to `spillDir` and reported: an acknowledged
   * record is never dropped.
   */
  async stop(): Promise<void> {
    await close(this.server);
    for (let attempt = 0; attempt < 3 && this.pendingRecords > 0; attempt++) await this.flush();
    for (const buffer of this.buffers.values()) {
      buffer.close();
      for (const object of buffer.takeUndelivered()) {
        const spillDir = this.options.spillDir ?? join(process.cwd(), '.local', 'undelivered');
        const path = join(spillDir, object.key);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, object.body);
        this.log(`could not deliver ${object.records} record(s); kept them in ${path}`);
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req, MAX_REQUEST_BYTES).catch((error: unknown) => {
        if (error instanceof BodyTooLargeError) throw new FirehoseError('InvalidArgumentException', 413, error.message);
        throw error;
      });
      if (req.url?.startsWith('/__local/')) return this.handleAdmin(req.method ?? 'GET', req.url, body, res);
      this.stats.requests++;
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
        throw new FirehoseError('UnknownOperationException', 400, `unsupported request: ${req.method} ${target}`);
      }
      const input = parseJson(body);
      const operation = target.slice(TARGET_PREFIX.length);
      if (operation === 'PutRecord') return await this.putRecord(input, res);
      if (operation === 'PutRecordBatch') return await this.putRecordBatch(input, res);
      throw new FirehoseError('UnknownOperationException', 400, `operation ${operation} is not emulated locally`);
    } catch (error) {
      if (error instanceof FirehoseError) return sendError(res, error);
      this.log(`internal error: ${(error as Error).stack}`);
      return sendError(res, new FirehoseError('InternalFailure', 500, 'local Firehose failed'));
    }
  }

  private handleAdmin(method: string, url: string, body: Buffer, res: ServerResponse): void | Promise<void> {
    if (method === 'POST' && url === '/__local/faults') {
      try {
        this.setFaults(parseFaultPlan(parseJson(body)));
      } catch (error) {
        return sendJson(res, 400, { message: (error as Error).message });
      }
      return sendJson(res, 200, this.faults);
    }
    if (method === 'POST' && url === '/__local/flush') {
      return this.flush().then(() => sendJson(res, 200, { pendingRecords: this.pendingRecords, ...this.stats }));
    }
    if (method === 'GET' && url === '/__local/stats') return sendJson(res, 200, { pendingRecords: this.pendingRecords, ...this.stats });
    return sendJson(res, 404, { message: `no admin route ${method} ${url}` });
  }

  private bufferFor(input: Record<string, unknown>): DeliveryBuffer {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string' || name === '') throw new FirehoseError('InvalidArgumentException', 400, 'DeliveryStreamName is required');
    const buffer = this.buffers.get(name);
    if (!buffer) throw new FirehoseError('ResourceNotFoundException', 400, `Firehose ${name} under this account is not found.`);
    return buffer;
  }

  /** Decides, for one request, which fault (if any) applies. */
  private drawFault(): Exclude<FaultPlan['mode'], 'mix'> {
    if (this.faults.mode === 'none' || this.faultsLeft <= 0) return 'none';
    if (this.faults.mode === 'mix') {
      const fault = faultOfMix(this.faults.mix, Math.random());
      if (fault !== 'none') this.faultsLeft--;
      return fault;
    }
    const rate = this.faults.mode === 'partial' ? 1 : (this.faults.rate ?? 1);
    if (Math.random() >= rate) return 'none';
    this.faultsLeft--;
    return this.faults.mode;
  }

  private async applyRequestFault(fault: FaultPlan['mode'], take: () => void): Promise<boolean> {
    if (fault === 'throttle') throw new FirehoseError('ServiceUnavailableException', 503, 'Slow down.');
    if (fault === 'internal') throw new FirehoseError('InternalFailure', 500, 'We encountered an internal error. Please try again.');
    if (fault === 'slow') {
      const takes = this.faults.takeRecords ?? true;
      if (takes) take();
      await delay(this.faults.delayMs ?? 3000);
      if (!takes) throw new FirehoseError('InternalFailure', 500, 'We encountered an internal error. Please try again.');
      return true;
    }
    return false;
  }

  private async putRecord(input: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const buffer = this.bufferFor(input);
    const data = decodeRecord((input.Record as Record<string, unknown> | undefined)?.Data, 'Record.Data');
    const fault = this.drawFault();
    if (fault === 'partial') throw new FirehoseError('ServiceUnavailableException', 503, 'Slow down.');
    const take = () => {
      buffer.add(data);
      this.stats.recordsTaken++;
    };
    const taken = await this.applyRequestFault(fault, take);
    if (!taken) take();
    sendJson(res, 200, { RecordId: recordId(), Encrypted: false });
  }

  private async putRecordBatch(input: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const buffer = this.bufferFor(input);
    const records = input.Records;
    if (!Array.isArray(records) || records.length < 1 || records.length > MAX_BATCH_RECORDS) {
      throw new FirehoseError('InvalidArgumentException', 400, `Records must hold 1 to ${MAX_BATCH_RECORDS} records`);
    }
    const data = records.map((r, i) => decodeRecord((r as Record<string, unknown> | undefined)?.Data, `Records.${i}.Data`));
    const total = data.reduce((n, d) => n + d.length, 0);
    if (total > MAX_BATCH_BYTES) throw new FirehoseError('InvalidArgumentException', 400, `batch of ${total} bytes exceeds ${MAX_BATCH_BYTES}`);

    const fault = this.drawFault();
    const partialRate = this.faults.rate ?? 0.5;
    const failRecords = this.faults.failRecords;
    const failed = data.map((_, i) => fault === 'partial' && (failRecords ? failRecords.includes(i) : Math.random() < partialRate));
    const take = () => {
      data.forEach((d, i) => {
        if (!failed[i]) buffer.add(d);
      });
      this.stats.recordsTaken += failed.filter((f) => !f).length;
      this.stats.recordsRefused += failed.filter((f) => f).length;
    };
    const taken = await this.applyRequestFault(fault, take);
    if (!taken) take();
    const failedPutCount = failed.filter((f) => f).length;
    sendJson(res, 200, {
      FailedPutCount: failedPutCount,
      Encrypted: false,
      RequestResponses: failed.map((f) => (f ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: recordId() })),
    });
  }
}

function decodeRecord(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new FirehoseError('InvalidArgumentException', 400, `${field} must be base64`);
  }
  const data = Buffer.from(value, 'base64');
  if (data.length === 0 || data.length > FIREHOSE_MAX_RECORD_BYTES) {
    throw new FirehoseError('InvalidArgumentException', 400, `${field} must be 1 to ${FIREHOSE_MAX_RECORD_BYTES} bytes, not ${data.length}`);
  }
  return data;
}

/** Firehose record ids are long opaque strings. */
function recordId(): string {
  return randomBytes(56).toString('base64url');
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new FirehoseError('SerializationException', 400, 'the request body is not a JSON object');
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: FirehoseError): void {
  if (res.headersSent || res.destroyed) return;
  res.setHeader('x-amzn-ErrorType', error.type);
  sendJson(res, error.statusCode, { __type: error.type, message: error.message });
}
