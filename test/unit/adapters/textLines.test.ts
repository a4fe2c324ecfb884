import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DamagedTextError, openLines } from '../../../src/adapters/streams/textLines';

/** Every line read, and the error that ended the read, if any. */
async function readAll(chunks: Buffer[]): Promise<{ lines: string[]; error?: unknown }> {
  const lines: string[] = [];
  try {
    for await (const batch of await openLines(Readable.from(chunks))) lines.push(...batch);
    return { lines };
  } catch (error) {
    return { lines, error };
  }
}

describe('openLines', () => {
  it('keeps the lines before a byte that is not UTF-8, in the same chunk, and names the damaged line', async () => {
    const { lines, error } = await readAll([Buffer.concat([Buffer.from('a\n\nb\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from('c\n')])]);
    expect(lines).toEqual(['a', '', 'b']);
    expect(error).toBeInstanceOf(DamagedTextError);
    expect(error).toMatchObject({ line: 4, message: expect.stringMatching(/not UTF-8/) });
  });

  it('names a damaged last line without a newline, after the chunks before it', async () => {
    const { lines, error } = await readAll([Buffer.from('a\nb'), Buffer.from([0xc3, 0x28])]);
    expect(lines).toEqual(['a']);
    expect(error).toMatchObject({ line: 2 });
  });

  it('reads a character split between chunks, and drops a BOM at the start only', async () => {
    const text = Buffer.from('\uFEFFé1\n\uFEFFé2\nlast');
    const { lines, error } = await readAll([text.subarray(0, 4), text.subarray(4, 13), text.subarray(13)]);
    expect(error).toBeUndefined();
    expect(lines).toEqual(['é1', '\uFEFFé2', 'last']);
  });

  it('reports data after a NUL between gzip members, not drops it; zeros alone after the gzip data are padding', async () => {
    const members = Buffer.concat([gzipSync('a\n'), Buffer.from([0]), gzipSync('b\n')]);
    const damaged = await readAll([members.subarray(0, 7), members.subarray(7)]);
    expect(damaged.lines).toEqual(['a']);
    expect(damaged.error).toBeInstanceOf(DamagedTextError);
    expect(damaged.error).toMatchObject({ line: undefined, message: expect.stringMatching(/byte\(s\) after the gzip data ended at byte 22 are not gzip/) });

    const padded = await readAll([Buffer.concat([gzipSync('a\n'), gzipSync('b\n'), Buffer.alloc(32)])]);
    expect(padded).toEqual({ lines: ['a', 'b'] });
  });
});
