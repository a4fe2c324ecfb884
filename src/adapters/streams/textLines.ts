import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface ByteCounters {
  /** Bytes as stored (compressed where gzip). */
  read?: (n: number) => void;
  /** Bytes after gunzip. */
  decoded?: (n: number) => void;
}

/**
 * The lines of a stream of UTF-8 text, gunzipped first when it starts with
 * gzip's magic bytes (whatever its name says). The first chunk is read here,
 * so a stream that cannot be opened at all fails now; later failures (a
 * truncated gzip, bytes that are not UTF-8) surface while iterating. Lines
 * come in batches, one per chunk, without their `\n`; a last line without one
 * comes too.
 */
export async function openLines(raw: Readable, counters: ByteCounters = {}): Promise<AsyncIterable<string[]>> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return (async function* () {})();
  const stored = (async function* () {
    for (let next: IteratorResult<Buffer> = first; !next.done; next = await iterator.next()) {
      counters.read?.(next.value.length);
      yield next.value;
    }
  })();
  let bytes: AsyncIterable<Buffer> = stored;
  if (first.value[0] === 0x1f && first.value[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    // pipeline carries a read error of the source into gunzip, where iteration sees it.
    pipeline(Readable.from(stored), gunzip, () => undefined);
    bytes = gunzip;
  }
  return (async function* () {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let pending = '';
    for await (const chunk of bytes) {
      counters.decoded?.(chunk.length);
      const lines = (pending + decoder.decode(chunk, { stream: true })).split('\n');
      pending = lines.pop()!;
      yield lines;
    }
    pending += decoder.decode();
    if (pending !== '') yield [pending];
  })();
}
