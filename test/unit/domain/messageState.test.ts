import fc from 'fast-check';
import type { RecordFacts } from '../../../src/domain/archiveLine';
import { errorCodeOfMessage, isResolved, latestStatus, MessageStates, NOT_FOUND_STATUS } from '../../../src/domain/messageState';
import { isoToMs } from '../../../src/domain/time';

const SID = 'SM0123456789abcdef0123456789abcdef';
const facts = (over: Partial<RecordFacts>): RecordFacts => ({
  source: 'callback',
  recorded_at: '2026-11-26T10:00:00.000Z',
  event_at: null,
  account_sid: 'AC0123456789abcdef0123456789abcdef',
  message_sid: SID,
  status: 'sent',
  error_code: null,
  to: null,
  tags: {},
  params: {},
  ...over,
});

describe('MessageStates', () => {
  it("folds a message's records, in any order and with duplicates, into one state", () => {
    const records = [
      facts({ source: 'send', status: 'queued', event_at: '2026-11-26T09:59:59.000Z', recorded_at: '2026-11-26T10:00:00.100Z' }),
      facts({ status: 'sent', recorded_at: '2026-11-26T10:00:02.000Z' }),
      facts({ status: 'undelivered', error_code: '30003', recorded_at: '2026-11-26T10:01:00.000Z' }),
      facts({ status: 'undelivered', error_code: '30003', recorded_at: '2026-11-26T10:01:00.000Z' }),
    ];
    for (const order of [records, [...records].reverse()]) {
      const states = new MessageStates();
      for (const r of order) states.fold(r);
      const state = states.get(SID)!;
      expect(states.size).toBe(1);
      expect(latestStatus(state)).toBe('undelivered');
      expect(isResolved(state)).toBe(true);
      expect(errorCodeOfMessage(state)).toBe('30003');
      expect(state.createdAt).toBe('2026-11-26T09:59:59.000Z');
      expect(state.createdFromSend).toBe(true);
      expect(state.newestRecordedAt).toBe('2026-11-26T10:01:00.000Z');
    }
  });

  it('gives the same state for every arrival order of the same records', () => {
    const records = [
      facts({ source: 'send', status: 'queued', event_at: '2026-11-26T09:59:59.000Z', recorded_at: '2026-11-26T10:00:00.100Z' }),
      facts({ status: 'sent', error_code: '30001', recorded_at: '2026-11-26T10:00:02.000Z' }),
      facts({ status: 'undelivered', error_code: '30005', recorded_at: '2026-11-26T10:01:00.000Z' }),
      facts({ status: 'read', recorded_at: '2026-11-26T10:02:00.000Z' }),
      facts({ source: 'poll', status: NOT_FOUND_STATUS, recorded_at: '2026-11-27T10:00:00.000Z' }),
    ];
    const permutations = (items: RecordFacts[]): RecordFacts[][] =>
      items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    const results = new Set<string>();
    for (const order of permutations(records)) {
      const states = new MessageStates();
      for (const r of order) states.fold(r);
      results.add(JSON.stringify(states.get(SID)));
    }
    expect(results.size).toBe(1);
    const state = JSON.parse([...results][0]) as Record<string, unknown>;
    expect(state).toMatchObject({ status: 'read', errorCode: '30005', createdAt: '2026-11-26T09:59:59.000Z', notFoundAt: '2026-11-27T10:00:00.000Z' });
  });

  it('without a send record, takes the earliest time any record tells as the creation time', () => {
    const states = new MessageStates();
    states.fold(facts({ recorded_at: '2026-11-26T10:05:00.000Z' }));
    states.fold(facts({ status: 'delivered', event_at: '2026-11-26T10:03:00.000Z', recorded_at: '2026-11-26T10:06:00.000Z' }));
    expect(states.get(SID)!.createdAt).toBe('2026-11-26T10:03:00.000Z');
    expect(states.get(SID)!.createdFromSend).toBe(false);
  });

  it('notes a poll that found no message without letting it become the status', () => {
    const states = new MessageStates();
    states.fold(facts({ status: 'sent' }));
    states.fold(facts({ source: 'poll', status: NOT_FOUND_STATUS, recorded_at: '2026-11-27T00:00:00.000Z' }));
    const state = states.get(SID)!;
    expect(latestStatus(state)).toBe('sent');
    expect(state.notFoundAt).toBe('2026-11-27T00:00:00.000Z');
  });

  it('holds many messages across chunks and index growth, and gives every one back in order', () => {
    const states = new MessageStates();
    const total = 150_000; // more than two chunks of 65,536
    const sidOf = (n: number) => `${n % 3 === 0 ? 'MM' : 'SM'}${n.toString(16).padStart(32, '0')}`;
    for (let n = 0; n < total; n++) {
      states.fold(facts({ message_sid: sidOf(n), status: 'sent', recorded_at: new Date(Date.UTC(2026, 10, 26) + n).toISOString() }));
      if (n % 2 === 0) states.fold(facts({ message_sid: sidOf(n), status: 'delivered', recorded_at: '2026-11-27T00:00:00.000Z' }));
    }
    expect(states.size).toBe(total);
    for (const n of [0, 1, 2, 4095, 4096, 65_535, 65_536, 131_072, total - 1]) {
      expect(states.get(sidOf(n))).toMatchObject({ status: n % 2 === 0 ? 'delivered' : 'sent', createdAt: new Date(Date.UTC(2026, 10, 26) + n).toISOString() });
    }
    const outOfOrder: string[] = [];
    const accounts = new Set<string>();
    let expected = 0;
    for (const [sid, state] of states.entries()) {
      if (sid !== sidOf(expected++)) outOfOrder.push(sid);
      accounts.add(state.accountSid);
    }
    expect(outOfOrder).toEqual([]);
    expect([...accounts]).toEqual(['AC0123456789abcdef0123456789abcdef']);
    expect(expected).toBe(total);
    expect(states.get(sidOf(total))).toBeUndefined();
  });

  it('keeps SIDs of an unexpected form too, exactly as written', () => {
    const states = new MessageStates();
    const odd = ['SM0123456789ABCDEF0123456789ABCDEF', 'SMshort', 'xx-not-a-sid'];
    for (const sid of odd) states.fold(facts({ message_sid: sid, status: 'sent' }));
    states.fold(facts({ message_sid: odd[1], status: 'delivered', recorded_at: '2026-11-26T11:00:00.000Z' }));
    expect(states.size).toBe(3);
    expect(states.get(odd[1])?.status).toBe('delivered');
    expect([...states.entries()].map(([sid]) => sid).sort()).toEqual([...odd].sort());
    expect(states.get('SM0123456789abcdef0123456789abcdef')).toBeUndefined();
  });

  it('marks the messages Twilio lists', () => {
    const states = new MessageStates();
    states.fold(facts({}));
    expect(states.get(SID)?.listedByTwilio).toBe(false);
    states.markListed(SID);
    states.markListed('SM0000000000000000000000000000ffff');
    expect(states.get(SID)?.listedByTwilio).toBe(true);
    expect(states.size).toBe(1);
  });

  it('keeps the least account SID when records disagree, in whatever order they come', () => {
    const one = { account_sid: 'ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' };
    const two = { account_sid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', status: 'delivered' };
    for (const order of [
      [one, two],
      [two, one],
    ]) {
      const states = new MessageStates();
      for (const f of order) states.fold(facts(f));
      expect(states.get(SID)!.accountSid).toBe('ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    }
  });

  it('takes any status over a not-found poll that came first, even a status of no rank without a time', () => {
    const poll = facts({ source: 'poll', status: NOT_FOUND_STATUS, event_at: '2026-11-26T10:00:00.000Z' });
    const odd = facts({ status: 'a-status-twilio-added-later' });
    for (const order of [
      [poll, odd],
      [odd, poll],
    ]) {
      const states = new MessageStates();
      for (const f of order) states.fold(f);
      expect(latestStatus(states.get(SID)!)).toBe('a-status-twilio-added-later');
    }
  });

  it('ignores send_error records, which have no SID', () => {
    const states = new MessageStates();
    states.fold(facts({ source: 'send_error', message_sid: null }));
    expect(states.size).toBe(0);
  });
});

describe('isoToMs', () => {
  it("reads the archive's ISO times as Date.parse does", () => {
    for (const t of ['2026-11-26T10:00:00.000Z', '2024-02-29T23:59:59.999Z', '1999-12-31T00:00:00.001Z', '2026-11-26T10:00:00Z', '2026-11-26T10:00:00.5Z']) {
      expect(isoToMs(t)).toBe(Date.parse(t));
    }
  });

  it('counts days as Date.UTC does, for every day, hour and millisecond of the form', () => {
    const field = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, '0'));
    fc.assert(
      fc.property(field(9999, 4), field(99, 2), field(99, 2), field(99, 2), field(99, 2), field(99, 2), field(999, 3), (y, mo, d, h, mi, s, ms) => {
        const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
        const reference = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
        expect(isoToMs(iso)).toBe(reference);
      }),
      { numRuns: 20_000, seed: 2611 },
    );
  });
});
