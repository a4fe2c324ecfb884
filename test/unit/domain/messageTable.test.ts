import { CHUNK_BITS, CHUNK_MASK, MessageTable } from '../../../src/domain/messageTable';

const sid = (n: number, prefix = 'SM') => `${prefix}${n.toString(16).padStart(32, '0')}`;

/** Adds `sid` if missing; returns its message number. */
function numberOf(table: MessageTable, messageSid: string): number {
  const n = table.find(messageSid, true);
  return n >= 0 ? n : table.add();
}

describe('MessageTable', () => {
  it('holds messages across chunk boundaries, each found again by its SID, and gives each SID back as it came', () => {
    const table = new MessageTable();
    const count = (1 << CHUNK_BITS) * 2 + 3;
    const misnumbered: number[] = [];
    for (let n = 0; n < count; n++) if (numberOf(table, sid(n)) !== n) misnumbered.push(n);
    expect(misnumbered).toEqual([]);
    expect(table.size).toBe(count);
    for (const n of [0, CHUNK_MASK, CHUNK_MASK + 1, 2 * (CHUNK_MASK + 1), count - 1]) {
      expect(table.find(sid(n))).toBe(n);
      expect(table.sidOf(n)).toBe(sid(n));
      // Each message's fields live in its own chunk's slot.
      table.chunkOf(n).recordedMs[n & CHUNK_MASK] = n;
    }
    expect(table.chunkOf(CHUNK_MASK + 1).recordedMs[0]).toBe(CHUNK_MASK + 1);
    expect(table.chunkOf(CHUNK_MASK).recordedMs[CHUNK_MASK]).toBe(CHUNK_MASK);
  });

  it('keeps finding every message while its index grows, and finds nothing it was not given', () => {
    const table = new MessageTable();
    // The index starts at 4,096 slots and doubles past 70% full: several doublings.
    for (let n = 0; n < 50_000; n++) numberOf(table, sid(n * 7919));
    for (let n = 0; n < 50_000; n += 1234) expect(table.find(sid(n * 7919))).toBe(n);
    expect(table.find(sid(1))).toBe(-1);
    expect(table.size).toBe(50_000);
  });

  it('tells SIDs apart by prefix, and holds SIDs not of the compact form as they are', () => {
    const table = new MessageTable();
    const odd = ['SM0123456789ABCDEF0123456789ABCDEF', 'SMshort', 'not a sid', 'sm0123456789abcdef0123456789abcdef', `MM${'f'.repeat(32)}x`];
    const all = [sid(1, 'SM'), sid(1, 'MM'), sid(1, 'XE'), ...odd];
    const numbers = all.map((s) => numberOf(table, s));
    expect(new Set(numbers).size).toBe(all.length);
    for (const [k, s] of all.entries()) {
      expect(table.find(s)).toBe(numbers[k]);
      expect(table.sidOf(numbers[k])).toBe(s);
    }
    expect(numberOf(table, odd[0])).toBe(numbers[3]);
    expect(table.find('SM0123456789ABCDEF0123456789ABCDEE')).toBe(-1);
  });

  it('interns repeating strings as small integers, 0 being none', () => {
    const table = new MessageTable();
    expect(table.intern('')).toBe(0);
    const delivered = table.intern('delivered');
    expect(table.intern('delivered')).toBe(delivered);
    expect(table.string(delivered)).toBe('delivered');
    expect(table.intern('30003')).not.toBe(delivered);
  });
});
