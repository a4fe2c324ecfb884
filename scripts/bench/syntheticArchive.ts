import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../../src/domain/archiveRecord';

export interface SyntheticArchiveSpec {
  messages: number;
  /** Callback records per message (plus one send record each). */
  callbacksPerMessage: number;
  recordsPerObject: number;
  /** Start of the day the messages were created on. */
  day: Date;
}

const STATUSES = ['sent', 'delivered'];

export function sid(prefix: string, n: number): string {
  return `${prefix}${n.toString(16).padStart(32, '0')}`;
}

/** A realistic record (callback-shaped params) for message `n`. */
export function syntheticRecord(n: number, step: number, createdAt: number, status: string): ArchiveRecord {
  const messageSid = sid('SM', n);
  const at = new Date(createdAt + step * 2000).toISOString();
  const to = `+1415${String(n % 10_000_000).padStart(7, '0')}`;
  return {
    v: 1,
    source: step === 0 ? 'send' : 'callback',
    recorded_at: at,
    event_at: step === 0 ? new Date(createdAt).toISOString() : null,
    account_sid: 'AC0123456789abcdef0123456789abcdef',
    message_sid: messageSid,
    messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
    status,
    error_code: null,
    to,
    from: '+15005550006',
    idempotency_token: null,
    tags: { order_id: String(n) },
    params: {
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      ApiVersion: '2010-04-01',
      From: '+15005550006',
      MessageSid: messageSid,
      MessageStatus: status,
      MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      SmsSid: messageSid,
      SmsStatus: status,
      To: to,
    },
  };
}

/**
 * Writes a synthetic day as gzip objects in Firehose's layout under
 * `<dir>/firehose/`, unless a folder made from the same spec is already there.
 * Returns the number of records.
 */
export function ensureSyntheticArchive(dir: string, spec: SyntheticArchiveSpec): number {
  const marker = join(dir, 'spec.json');
  const records = spec.messages * (1 + spec.callbacksPerMessage);
  if (existsSync(marker)) return records;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const spacing = 86_400_000 / spec.messages;
  let lines: string[] = [];
  let objectIndex = 0;
  const flush = () => {
    if (lines.length === 0) return;
    const firstArrival = new Date(spec.day.getTime() + (objectIndex * spec.recordsPerObject * spacing) / (1 + spec.callbacksPerMessage));
    const key = firehoseObjectKey({
      prefix: 'firehose/',
      streamName: 'bench',
      streamVersion: 1,
      oldestArrival: firstArrival,
      uuid: `obj-${objectIndex}`,
      gzip: true,
    });
    const path = join(dir, key);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, gzipSync(lines.join('')));
    lines = [];
    objectIndex++;
  };
  for (let n = 0; n < spec.messages; n++) {
    const createdAt = spec.day.getTime() + n * spacing;
    lines.push(toArchiveLine(syntheticRecord(n, 0, createdAt, 'queued')));
    for (let c = 1; c <= spec.callbacksPerMessage; c++) lines.push(toArchiveLine(syntheticRecord(n, c, createdAt, STATUSES[Math.min(c - 1, 1)])));
    if (lines.length >= spec.recordsPerObject) flush();
  }
  flush();
  writeFileSync(marker, JSON.stringify(spec));
  return records;
}
