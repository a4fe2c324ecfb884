import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { EVENT_LINE_START, gateObject, MAX_CLEAN_LINE_BYTES, RECORD_LINE_START } from '../../../src/adapters/duckdb/objectGate';

const RECORD = '{"v":1,"source":"callback","status":"sent","tags":{"note":"a, b ] c"}}';

/** The bytes as a stream of `size`-byte chunks: every check must hold across a chunk's end, wherever it falls. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

async function verdicts(bytes: Buffer, start = RECORD_LINE_START, sizes = [1, 2, 3, 7, 64, 1 << 20]): Promise<(string | true)[]> {
  const out: (string | true)[] = [];
  for (const size of sizes) {
    const verdict = await gateObject(chunked(bytes, size), start);
    out.push(verdict.clean ? true : verdict.reason);
  }
  return out;
}

describe('the gate in front of DuckDB', () => {
  it('passes the writers own lines, plain or gzip, blank lines and a last line without its newline included, whatever the chunks', async () => {
    const text = Buffer.from(`${RECORD}\n\n${RECORD}\n${RECORD}`);
    expect(new Set(await verdicts(text))).toEqual(new Set([true]));
    // gzip is known by its first chunk's two magic bytes, as the project's reader knows it: chunks of 2 bytes and more.
    expect(new Set(await verdicts(gzipSync(text), RECORD_LINE_START, [2, 3, 7, 64, 1 << 20]))).toEqual(new Set([true]));
    expect(new Set(await verdicts(Buffer.from('{"specversion":"1.0"}\n'), EVENT_LINE_START))).toEqual(new Set([true]));
    // 'Inf' alone is text like any other; only Infinity is sent on.
    expect(new Set(await verdicts(Buffer.from(`${RECORD}\n{"v":1,"note":"Info: Inf Infinit"}\n${RECORD}\n`)))).toEqual(new Set([true]));
    expect(await gateObject(Readable.from([]), RECORD_LINE_START)).toMatchObject({ clean: true, storedBytes: 0 });
  });

  it.each([
    ['a line not begun as the writers begin it', `${RECORD}\n{"v":1.0,"source":"send"}\n`, /does not begin with/],
    ['a line too short to', `${RECORD}\n{"v"\n`, /does not begin with/],
    ['a last line too short to', `${RECORD}\n{"v"`, /does not begin with/],
    ['a line of a tab alone', `${RECORD}\n\t\n`, /a tab/],
    ['a line of U+2028 alone', `${RECORD}\n\u2028\n`, /does not begin with/],
    ['a line of spaces', `${RECORD}\n   \n`, /does not begin with/],
    ['a trailing comma', `${RECORD.slice(0, -1)},}\n`, /trailing comma/],
    ['a trailing comma and spaces', `${RECORD.slice(0, -1)},  ]}\n`, /trailing comma/],
    ['NaN', `{"v":1,"x":NaN}\n`, /NaN/],
    // Within a chunk's middle lines, its first (joined with the last chunk's end), or its last: each place is checked.
    ['Infinity among other lines', `${RECORD}\n${RECORD}\n{"v":1,"x":-Infinity}\n${RECORD}\n`, /Infinity/],
    ['a trailing comma among other lines', `${RECORD}\n${RECORD}\n${RECORD.slice(0, -1)},}\n${RECORD}\n${RECORD}\n`, /trailing comma/],
    ['a carriage return', `${RECORD}\r\n`, /carriage return/],
    ['a NUL byte', `${RECORD}\n{"v":1,\u0000}\n`, /NUL/],
    ['a byte-order mark', `\ufeff${RECORD}\n`, /byte-order mark|does not begin with/],
  ])('sends an object with %s to the project reader, whatever the chunks', async (_what, text, reason) => {
    for (const verdict of await verdicts(Buffer.from(text))) expect(verdict).toMatch(reason);
  });

  it('sends on what is not UTF-8, a line over the limit, and damaged gzip', async () => {
    for (const verdict of await verdicts(Buffer.concat([Buffer.from(`${RECORD}\n{"v":1,"x":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')])))
      expect(verdict).toMatch(/not UTF-8/);
    const middle = Buffer.concat([Buffer.from(`${RECORD}\n${RECORD}\n{"v":1,"x":"`), Buffer.from([0xc3]), Buffer.from(`"}\n${RECORD}\n${RECORD}\n`)]);
    for (const verdict of await verdicts(middle)) expect(verdict).toMatch(/not UTF-8/);
    const long = Buffer.from(`{"v":1,"x":"${'y'.repeat(MAX_CLEAN_LINE_BYTES)}"}\n`);
    expect(await gateObject(chunked(long, 4096), RECORD_LINE_START)).toMatchObject({ clean: false, reason: expect.stringMatching(/over/) });
    const gz = gzipSync(Buffer.from(`${RECORD}\n`.repeat(50)));
    expect(await gateObject(chunked(gz.subarray(0, gz.length - 10), 16), RECORD_LINE_START)).toMatchObject({
      clean: false,
      reason: expect.stringMatching(/gzip/),
    });
    expect(await gateObject(chunked(Buffer.concat([gz, Buffer.from('x')]), 16), RECORD_LINE_START)).toMatchObject({ clean: false });
  });
});
