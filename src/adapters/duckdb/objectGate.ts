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
 *
 * DuckDB's JSON functions are also looser than JSON.parse, and its trim()
 * strips spaces only, so a clean object also has every line begin as the
 * archive's writers begin it (`{"v":1,` for a record, `{` for a CloudEvent:
 * no `"v":1.0`, no line of a tab or U+2028 alone), and no raw tab, vertical
 * tab or form feed (JSON.stringify writes none), no comma before a closing
 * brace or bracket, no `NaN` or `Infinity` anywhere. What passes is then read
 * alike by both; an odd object only costs the project's reader's time. Two
 * equal keys in one object (DuckDB keeps the first, JSON.parse the last) are
 * not caught: no writer of the archive makes them.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** The longest line DuckDB is given; its `max_line_size` is set above it, so that no line is dropped. */
export const MAX_CLEAN_LINE_BYTES = 1 << 20;

export type GateVerdict = { clean: true; gzip: boolean; storedBytes: number } | { clean: false; reason: string; storedBytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;
const CONTROLS: [number, string][] = [
  [0x09, 'a tab'],
  [0x0b, 'a vertical tab'],
  [0x0c, 'a form feed'],
];
const LOOSE_JSON = [',}', ',]', 'NaN'].map((text) => Buffer.from(text));
// Searched as 'Inf', then the rest checked: Buffer.indexOf takes a slower search for patterns this long (1.9 GB/s
// against 10 GB/s for 'NaN', measured on the archive's text).
const INF = Buffer.from('Inf');
const INFINITY = Buffer.from('Infinity');
const COMMA_SPACE = Buffer.from(', ');

/** What every line of a record object begins with (toArchiveLine: JSON.stringify of a record whose `v` comes first). */
export const RECORD_LINE_START = Buffer.from('{"v":1,');
/** What every line of a CloudEvents object begins with. */
export const EVENT_LINE_START = Buffer.from('{');

/** A comma, spaces, then a closing brace or bracket: a trailing comma DuckDB's JSON reader takes and JSON.parse refuses. */
function spacedTrailingComma(text: Buffer): boolean {
  for (let at = text.indexOf(COMMA_SPACE); at !== -1; at = text.indexOf(COMMA_SPACE, at + 1)) {
    let next = at + 1;
    while (text[next] === SPACE) next++;
    if (text[next] === 0x7d || text[next] === 0x5d) return true;
  }
  return false;
}

/** `Infinity` somewhere in the text. */
function holdsInfinity(text: Buffer): boolean {
  for (let at = text.indexOf(INF); at !== -1; at = text.indexOf(INF, at + 1)) {
    if (text.subarray(at, at + INFINITY.length).equals(INFINITY)) return true;
  }
  return false;
}

/** The text's checks, chunk by chunk: UTF-8 is checked up to the last newline (a newline is never inside a UTF-8 sequence). */
class TextCheck {
  private carry: Buffer = Buffer.alloc(0);
  private lineBytes = 0;
  /** The current line's first bytes, while fewer than lineStart's. */
  private head: number[] = [];
  textBytes = 0;
  problem: string | null = null;

  constructor(private readonly lineStart: Buffer) {}

  /** Takes a line's bytes from its start; false when they leave the line's beginning other than lineStart. */
  private headTakes(chunk: Buffer, from: number, to: number): boolean {
    for (let i = from; i < to && this.head.length < this.lineStart.length; i++) {
      if (chunk[i] !== this.lineStart[this.head.length]) return false;
      this.head.push(chunk[i]);
    }
    return true;
  }

  /** A line ends: empty, or begun whole with lineStart. */
  private lineEnds(): boolean {
    const whole = this.head.length === 0 && this.lineBytes === 0 ? true : this.head.length === this.lineStart.length;
    this.head = [];
    return whole;
  }

  take(chunk: Buffer): void {
    if (this.problem !== null) return;
    if (this.textBytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) return void (this.problem = 'starts with a byte-order mark');
    this.textBytes += chunk.length;
    if (chunk.indexOf(CARRIAGE_RETURN) !== -1) return void (this.problem = 'holds a carriage return');
    if (chunk.indexOf(NUL) !== -1) return void (this.problem = 'holds a NUL byte');
    for (const [byte, name] of CONTROLS) if (chunk.indexOf(byte) !== -1) return void (this.problem = `holds ${name}`);
    const begun = `holds a line that does not begin with ${this.lineStart.toString()}`;
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      if (this.lineBytes + end - start > MAX_CLEAN_LINE_BYTES) return void (this.problem = `holds a line over ${MAX_CLEAN_LINE_BYTES} bytes`);
      if (!this.headTakes(chunk, start, end)) return void (this.problem = begun);
      this.lineBytes += end - start;
      if (!this.lineEnds()) return void (this.problem = begun);
      this.lineBytes = 0;
      start = end + 1;
    }
    if (!this.headTakes(chunk, start, chunk.length)) return void (this.problem = begun);
    this.lineBytes += chunk.length - start;
    if (this.lineBytes > MAX_CLEAN_LINE_BYTES) return void (this.problem = `holds a line over ${MAX_CLEAN_LINE_BYTES} bytes`);
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.carry = Buffer.concat([this.carry, chunk]);
      return;
    }
    // The line the last chunk left unfinished is checked whole, joined with its end here; the lines after it in place
    // (no copy of the chunk).
    const first = chunk.indexOf(NEWLINE);
    this.checkLines(this.carry.length === 0 ? chunk.subarray(0, first) : Buffer.concat([this.carry, chunk.subarray(0, first)]));
    if (last > first) this.checkLines(chunk.subarray(first + 1, last));
    this.carry = Buffer.from(chunk.subarray(last + 1));
  }

  /** Whole lines (a pattern is never cut by a chunk's end here). */
  private checkLines(text: Buffer): void {
    if (this.problem !== null) return;
    if (!isUtf8(text)) return void (this.problem = 'is not UTF-8 throughout');
    if (LOOSE_JSON.some((pattern) => text.indexOf(pattern) !== -1) || holdsInfinity(text) || spacedTrailingComma(text))
      this.problem = 'holds JSON that DuckDB reads more loosely than JSON.parse (a trailing comma, NaN or Infinity)';
  }

  end(): void {
    if (this.problem === null && this.lineBytes > 0 && !this.lineEnds()) this.problem = `holds a line that does not begin with ${this.lineStart.toString()}`;
    if (this.problem === null && this.carry.length > 0) this.checkLines(this.carry);
  }
}

/**
 * Reads a stored object through and says whether DuckDB may read it. Never
 * throws for the object's content: a read that fails is an odd object, for the
 * project's reader to report.
 */
export async function gateObject(body: Readable, lineStart: Buffer): Promise<GateVerdict> {
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const text = new TextCheck(lineStart);
  let storedBytes = 0;
  let gzip = false;
  try {
    const first = await iterator.next();
    if (first.done) return { clean: true, gzip: false, storedBytes: 0 };
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
  return { clean: true, gzip, storedBytes };
}
