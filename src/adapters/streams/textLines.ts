import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface ByteCounters {
  /** Bytes as stored (compressed where gzip). */
  read?: (n: number) => void;
  /** Bytes after gunzip. */
  decoded?: (n: number) => void;
}

/**
 * The stream could be read no further: every line before the damage came
 * through. `line` is the damaged line's number (1-based, blank lines
 * counted), when a line is what is damaged.
 */
export class DamagedTextError extends Error {
  override name = 'DamagedTextError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

const NEWLINE = 0x0a;

/**
 * The lines of a stream of UTF-8 text, gunzipped first when it starts with
 * gzip's magic bytes (whatever its name says). The first chunk is read here,
 * so a stream that cannot be opened at all fails now; later failures (a
 * truncated gzip, bytes that are not UTF-8) surface while iterating. Lines
 * come in batches, one per chunk, without their `\n`; a last line without one
 * comes too.
 *
 * A line that is not UTF-8 ends the stream with a DamagedTextError naming it,
 * after every line before it (those of its own chunk too). So do bytes after
 * the end of the gzip data that are not zeros: zlib stops at the first member
 * not preceded by gzip's magic bytes (a NUL between members is enough) and
 * would drop the rest without a word.
 */
export async function openLines(raw: Readable, counters: ByteCounters = {}): Promise<AsyncIterable<string[]>> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return (async function* () {})();
  let storedBytes = 0;
  // Where the last byte other than a zero is: zeros after the gzip data are padding, anything else is data left unread.
  let lastNonZero = -1;
  const stored = (async function* () {
    for (let next: IteratorResult<Buffer> = first; !next.done; next = await iterator.next()) {
      const chunk = next.value;
      for (let i = chunk.length - 1; i >= 0; i--) {
        if (chunk[i] !== 0) {
          lastNonZero = storedBytes + i;
          break;
        }
      }
      storedBytes += chunk.length;
      counters.read?.(chunk.length);
      yield chunk;
    }
  })();
  let bytes: AsyncIterable<Buffer> = stored;
  let unread: (() => Promise<string | null>) | undefined;
  if (first.value[0] === 0x1f && first.value[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    // pipeline carries a read error of the source into gunzip, where iteration sees it.
    const piped = new Promise<void>((resolve) => pipeline(Readable.from(stored), gunzip, () => resolve()));
    bytes = gunzip;
    unread = async () => {
      await piped;
      const used = gunzip.bytesWritten;
      return lastNonZero >= used
        ? `${storedBytes - used} byte(s) after the gzip data ended at byte ${used} are not gzip (a NUL or other bytes between members?): not read`
        : null;
    };
  }
  return (async function* () {
    // A BOM is dropped at the start of the stream only, as a streaming decoder drops it, not at each batch.
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let pending: Buffer = Buffer.alloc(0);
    let lines = 0;
    let atStart = true;
    // Whole lines only are decoded (a `\n` byte is never inside a UTF-8 sequence), so a damaged one is found by itself.
    const decodeLines = (buffer: Buffer): { good: string[]; damage?: DamagedTextError } => {
      if (atStart) {
        atStart = false;
        if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
      }
      try {
        return { good: decoder.decode(buffer).split('\n') };
      } catch {
        const good: string[] = [];
        for (let start = 0; ;) {
          const end = buffer.indexOf(NEWLINE, start);
          try {
            good.push(decoder.decode(buffer.subarray(start, end === -1 ? buffer.length : end)));
          } catch {
            const at = lines + good.length;
            return { good, damage: new DamagedTextError('not UTF-8 text: read no further', at + 1) };
          }
          if (end === -1) return { good };
          start = end + 1;
        }
      }
    };
    for await (const chunk of bytes) {
      counters.decoded?.(chunk.length);
      const end = chunk.lastIndexOf(NEWLINE);
      if (end === -1) {
        pending = Buffer.concat([pending, chunk]);
        continue;
      }
      const { good, damage } = decodeLines(pending.length === 0 ? chunk.subarray(0, end) : Buffer.concat([pending, chunk.subarray(0, end)]));
      pending = Buffer.from(chunk.subarray(end + 1));
      lines += good.length;
      if (good.length > 0) yield good;
      if (damage) throw damage;
    }
    if (pending.length > 0) {
      const { good, damage } = decodeLines(pending);
      lines += good.length;
      if (good.length > 0) yield good;
      if (damage) throw damage;
    }
    const left = await unread?.();
    if (left) throw new DamagedTextError(left);
  })();
}
