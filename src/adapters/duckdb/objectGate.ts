/**
 * Which archive objects DuckDB may read by itself. DuckDB's own reader is
 * fast, but on some damage it is silent where the project's reader is not:
 * a truncated gzip gives the lines before the cut and no error, a line over
 * `max_line_size` is dropped with `ignore_errors`, and a carriage return
 * ends a line there (JSON.parse takes `\r` inside a line as whitespace). So
 * each object is first read through here, a byte scan with no JSON parsing:
 * one that gunzips whole (zlib checks the CRC and length of every member),
 * ends where its gzip data ends, is UTF-8 throughout, and holds no `\r`, NUL,
 * byte-order mark or line over MAX_CLEAN_LINE_BYTES is clean, and DuckDB reads
 * it. Any other is odd: the project's reader reads it, as `--engine local`
 * would, with its line numbers.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** The longest line DuckDB is given; its `max_line_size` is set above it, so that no line is dropped. */
export const MAX_CLEAN_LINE_BYTES = 1 << 20;

export type GateVerdict = { clean: true; gzip: boolean; storedBytes: number; textBytes: number } | { clean: false; reason: string; storedBytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NUL = 0x00;

/** The text's checks, chunk by chunk: UTF-8 is checked up to the last newline (a newline is never inside a UTF-8 sequence). */
class TextCheck {
  private carry: Buffer = Buffer.alloc(0);
  private lineBytes = 0;
  textBytes = 0;
  problem: string | null = null;

  take(chunk: Buffer): void {
    if (this.problem !== null) return;
    if (this.textBytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return void (this.problem = 'starts with a byte-order mark');
    this.textBytes += chunk.length;
    if (chunk.indexOf(CARRIAGE_RETURN) !== -1) return void (this.problem = 'holds a carriage return');
    if (chunk.indexOf(NUL) !== -1) return void (this.problem = 'holds a NUL byte');
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      if (this.lineBytes + end - start > MAX_CLEAN_LINE_BYTES) return void (this.problem = `holds a line over ${MAX_CLEAN_LINE_BYTES} bytes`);
      this.lineBytes = 0;
      start = end + 1;
    }
    this.lineBytes += chunk.length - start;
    if (this.lineBytes > MAX_CLEAN_LINE_BYTES) return void (this.problem = `holds a line over ${MAX_CLEAN_LINE_BYTES} bytes`);
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.carry = Buffer.concat([this.carry, chunk]);
      return;
    }
    const whole = this.carry.length === 0 ? chunk.subarray(0, last) : Buffer.concat([this.carry, chunk.subarray(0, last)]);
    if (!isUtf8(whole)) return void (this.problem = 'is not UTF-8 throughout');
    this.carry = Buffer.from(chunk.subarray(last + 1));
  }

  end(): void {
    if (this.problem === null && this.carry.length > 0 && !isUtf8(this.carry)) this.problem = 'is not UTF-8 throughout';
  }
}

/**
 * Reads a stored object through and says whether DuckDB may read it. Never
 * throws for the object's content: a read that fails is an odd object, for the
 * project's reader to report.
 */
export async function gateObject(body: Readable): Promise<GateVerdict> {
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const text = new TextCheck();
  let storedBytes = 0;
  let gzip = false;
  try {
    const first = await iterator.next();
    if (first.done) return { clean: true, gzip: false, storedBytes: 0, textBytes: 0 };
    gzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
    const stored = async function* () {
      for (let next: IteratorResult<Buffer> = first; !next.done; next = await iterator.next()) {
        storedBytes += next.value.length;
        yield next.value;
      }
    };
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: 256 * 1024 });
      await pipeline(stored, gunzip, async (source: AsyncIterable<Buffer>) => {
        for await (const out of source) text.take(out);
      });
      // zlib stops at bytes after the last member that do not start another (a NUL between members) and says nothing.
      if (gunzip.bytesWritten !== storedBytes) return { clean: false, reason: `${storedBytes - gunzip.bytesWritten} byte(s) after the gzip data`, storedBytes };
    } else {
      for await (const chunk of stored()) text.take(chunk);
    }
  } catch (error) {
    return { clean: false, reason: `${gzip ? 'gzip' : 'read'}: ${(error as Error).message}`, storedBytes };
  }
  text.end();
  if (text.problem !== null) return { clean: false, reason: text.problem, storedBytes };
  return { clean: true, gzip, storedBytes, textBytes: text.textBytes };
}
