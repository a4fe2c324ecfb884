import fc from 'fast-check';
import type { RecordFacts } from '../../../src/domain/archiveLine';
import { CompactRecordWriter } from '../../../src/domain/compactRecords';
import { MessageStates } from '../../../src/domain/messageState';

const iso = fc.integer({ min: Date.parse('2026-11-25T00:00:00Z'), max: Date.parse('2026-11-27T00:00:00Z') }).map((ms) => new Date(ms).toISOString());
const facts: fc.Arbitrary<RecordFacts & { message_sid: string }> = fc.record({
  source: fc.constantFrom('callback', 'send', 'poll', 'reconcile', 'event_stream'),
  recorded_at: iso,
  event_at: fc.option(iso, { nil: null }),
  account_sid: fc.constantFrom('AC0123456789abcdef0123456789abcdef', 'ACfedcba9876543210fedcba9876543210'),
  // Compact SIDs of two prefixes, and SIDs of no compact form (upper-case hex, other lengths).
  message_sid: fc.oneof(
    fc.tuple(fc.constantFrom('SM', 'MM'), fc.integer({ min: 0, max: 40 })).map(([p, n]) => `${p}${n.toString(16).padStart(32, '0')}`),
    fc.constantFrom('SM0123456789ABCDEF0123456789ABCDEF', 'SMshort', 'not a sid'),
  ),
  status: fc.constantFrom('queued', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'not_found', 'odd-new-status'),
  error_code: fc.option(fc.constantFrom('30003', '30005', ''), { nil: null }),
  to: fc.constant(null),
  tags: fc.constant({}),
  params: fc.constant({}),
});

const stateOf = (states: MessageStates) => [...states.entries()].map(([sid, s]) => JSON.stringify([sid, s])).sort();

describe('compact record batches', () => {
  it('fold into the same message states as the records themselves, in batches of any size and any order', () => {
    fc.assert(
      fc.property(fc.array(facts, { maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (records, capacity) => {
        const direct = new MessageStates();
        for (const r of records) direct.fold(r);

        const batched = new MessageStates();
        const writer = new CompactRecordWriter(capacity);
        for (const r of [...records].reverse()) {
          writer.add(r);
          if (writer.full) batched.foldCompact(writer.take());
        }
        batched.foldCompact(writer.take());
        expect(stateOf(batched)).toEqual(stateOf(direct));
      }),
      { numRuns: 500, seed: 2611 },
    );
  });
});
