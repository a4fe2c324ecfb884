/**
 * A realistic day for the benchmarks, every record made by the product's own
 * builders from what Twilio sends: a `send` record per message holding the
 * create answer (the whole Message resource, body included), a `sent` and a
 * `delivered` (or `undelivered`, error 30003) status callback with Twilio's
 * full SMS parameter set, about 3 records a message; and the day's hard
 * cases, one message in 200 each: a send that timed out (a `send_error`
 * record; Twilio created the message, whose callbacks come), a send Twilio refused (`send_error`,
 * 21211, nothing created), a message missing from the archive, a message
 * whose final callback never came. Objects are gzip in Firehose's layout and
 * about its default 5 MiB buffer before compression (7,000 records). Twilio's
 * list of the day is a Bulk Export-style gzip JSON-lines file. Generated once
 * per size into `dir`.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import { buildCallbackRecord } from '../../src/domain/callbackRecord';
import { buildSendErrorRecord, buildSendRecord } from '../../src/domain/sendRecord';

export const REALISTIC_DAY = '2026-11-25';
const DAY_START = Date.parse(`${REALISTIC_DAY}T00:00:00.000Z`);
const ACCOUNT = 'AC3f0c7b2e9d4a41c8b5e6f70812a9c4d1';
const SERVICE = 'MG8e2d4c6b0a1f43e59d7c2b6a4e8f0d13';
const RECORDS_PER_OBJECT = 7_000;

export interface RealisticDay {
  archive: string;
  exportFile: string;
  messages: number;
  records: number;
  /** Bytes of JSON lines, and of gzip as stored. */
  jsonBytes: number;
  storedBytes: number;
}

function hexSid(prefix: string, n: number): string {
  // Spread like real SIDs (random hex), not counting up: the hash table and the compressor see what they would.
  let hex = '';
  let x = (n + 1) * 0x9e3779b1;
  for (let i = 0; i < 4; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) ^ i;
    hex += (x >>> 0).toString(16).padStart(8, '0');
  }
  return prefix + hex;
}

function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function dlrDate(ms: number): string {
  return new Date(ms).toISOString().slice(2, 19).replace(/[-T:]/g, '');
}

type Kind = 'delivered' | 'undelivered' | 'timed_out' | 'refused' | 'missing' | 'no_final';

function kindOf(n: number): Kind {
  const r = n % 200;
  if (r === 7) return 'timed_out';
  if (r === 13) return 'refused';
  if (r === 1) return 'missing';
  if (r === 0) return 'no_final';
  return n % 100 === 50 ? 'undelivered' : 'delivered';
}

/** Twilio's Message resource for message `n`, as the create call answers it and the day's list holds it. */
function resource(
  n: number,
  created: number,
  status: string,
  errorCode: number | null,
): Record<string, unknown> & { sid: string; account_sid: string; status: string } {
  const sid = hexSid('SM', n);
  return {
    account_sid: ACCOUNT,
    api_version: '2010-04-01',
    body: `Your Acme Bank code is ${String(n % 1_000_000).padStart(6, '0')}. It expires in 10 minutes. Never share it.`,
    date_created: rfc2822(created),
    date_sent: status === 'accepted' ? null : rfc2822(created + 1_000),
    date_updated: rfc2822(created + (status === 'accepted' ? 0 : 6_000)),
    direction: 'outbound-api',
    error_code: errorCode,
    error_message: null,
    from: null,
    messaging_service_sid: SERVICE,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid,
    status,
    subresource_uris: { media: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}/Media.json` },
    to: recipient(n),
    uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}.json`,
  };
}

function recipient(n: number): string {
  return `+1${String(2_000_000_000 + ((n * 7919) % 7_999_999_999)).padStart(10, '0')}`;
}

function callback(n: number, status: string, at: number, errorCode: string | null): string {
  const sid = hexSid('SM', n);
  const event: Record<string, unknown> = {
    SmsSid: sid,
    SmsStatus: status,
    MessageStatus: status,
    To: recipient(n),
    MessagingServiceSid: SERVICE,
    MessageSid: sid,
    AccountSid: ACCOUNT,
    From: '+14155550100',
    ApiVersion: '2010-04-01',
  };
  if (status === 'delivered' || status === 'undelivered') event.RawDlrDoneDate = dlrDate(at - 500);
  if (errorCode) event.ErrorCode = errorCode;
  return toArchiveLine(buildCallbackRecord(event, { recordedAt: new Date(at), idempotencyToken: `${sid}-${status}-${(n * 31) % 997}` }));
}

/** The archive lines of message `n`, in arrival order. */
function linesOf(n: number, created: number, kind: Kind): string[] {
  const tags = { order_id: `ord-${n}`, team: 'otp' };
  if (kind === 'missing') return [];
  if (kind === 'timed_out' || kind === 'refused') {
    const failure =
      kind === 'timed_out'
        ? { kind: 'no_response' as const, httpStatus: null, code: null, message: 'socket hang up', moreInfo: null }
        : {
            kind: 'error_response' as const,
            httpStatus: 400,
            code: 21211,
            message: "The 'To' number is not a valid phone number.",
            moreInfo: 'https://www.twilio.com/docs/errors/21211',
          };
    const envelope = { accountSid: ACCOUNT, to: recipient(n), from: null, messagingServiceSid: SERVICE };
    const request = { to: recipient(n), messagingServiceSid: SERVICE, body: `Your Acme Bank code is ${String(n % 1_000_000).padStart(6, '0')}.` };
    const attempt = toArchiveLine(buildSendErrorRecord(envelope, request, failure, tags, new Date(created), new Date(created + 10_000)));
    // The message the timed-out send created still reports to the Messaging Service's callback.
    return kind === 'refused' ? [attempt] : [callback(n, 'sent', created + 1_500, null), callback(n, 'delivered', created + 6_000, null), attempt];
  }
  const lines = [toArchiveLine(buildSendRecord(resource(n, created, 'accepted', null), tags, new Date(created + 300)))];
  lines.push(callback(n, 'sent', created + 1_500, null));
  if (kind === 'delivered') lines.push(callback(n, 'delivered', created + 6_000, null));
  if (kind === 'undelivered') lines.push(callback(n, 'undelivered', created + 6_000, '30003'));
  return lines;
}

/** The day's list row of message `n`: what Twilio finally says, or nothing when no message was created. */
function listRow(n: number, created: number, kind: Kind): string | null {
  if (kind === 'refused') return null;
  const final = kind === 'undelivered' ? resource(n, created, 'undelivered', 30003) : resource(n, created, 'delivered', null);
  const iso = (text: unknown) => new Date(String(text)).toISOString();
  return JSON.stringify({ ...final, date_created: iso(final.date_created), date_sent: iso(final.date_sent), date_updated: iso(final.date_updated) });
}

export async function ensureRealisticDay(dir: string, messages: number): Promise<RealisticDay> {
  const archive = join(dir, 'archive');
  const exportFile = join(dir, `messages-${REALISTIC_DAY}.json.gz`);
  const marker = join(dir, 'done.json');
  if (existsSync(marker))
    return { archive, exportFile, messages, ...(JSON.parse(readFileSync(marker, 'utf8')) as Omit<RealisticDay, 'archive' | 'exportFile' | 'messages'>) };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(archive, { recursive: true });
  const spacing = 86_400_000 / messages;
  let records = 0;
  let jsonBytes = 0;
  let storedBytes = 0;
  let lines: string[] = [];
  let objectIndex = 0;
  let firstArrival = DAY_START;
  const flush = () => {
    if (lines.length === 0) return;
    const key = firehoseObjectKey({
      prefix: 'firehose/',
      streamName: 'bench',
      streamVersion: 1,
      oldestArrival: new Date(firstArrival),
      uuid: `obj-${objectIndex++}`,
      gzip: true,
    });
    const text = lines.join('');
    const gz = gzipSync(text);
    mkdirSync(join(archive, key, '..'), { recursive: true });
    writeFileSync(join(archive, key), gz);
    jsonBytes += Buffer.byteLength(text);
    storedBytes += gz.length;
    lines = [];
  };
  const gzip = createGzip();
  const out = createWriteStream(exportFile);
  gzip.pipe(out);
  let rows: string[] = [];
  for (let n = 0; n < messages; n++) {
    const created = DAY_START + Math.floor(n * spacing);
    const kind = kindOf(n);
    if (lines.length === 0) firstArrival = created;
    for (const line of linesOf(n, created, kind)) {
      lines.push(line);
      records++;
    }
    if (lines.length >= RECORDS_PER_OBJECT) flush();
    const row = listRow(n, created, kind);
    if (row) rows.push(row);
    if (rows.length === 10_000) {
      if (!gzip.write(`${rows.join('\n')}\n`)) await new Promise((r) => gzip.once('drain', r));
      rows = [];
    }
  }
  flush();
  gzip.end(rows.length ? `${rows.join('\n')}\n` : '');
  await new Promise<void>((r) => out.once('close', () => r()));
  const figures = { records, jsonBytes, storedBytes };
  writeFileSync(marker, JSON.stringify(figures));
  return { archive, exportFile, messages, ...figures };
}
