import type { RecordFacts } from '../../../src/domain/archiveLine';
import { MessageStates, type MessageState } from '../../../src/domain/messageState';
import { compareStatusMs, isFinalStatus, statusRank } from '../../../src/domain/statusRules';

const SID = 'SM0123456789abcdef0123456789abcdef';

interface Obs {
  status: string;
  recorded_at: string;
  event_at?: string | null;
  error_code?: string | null;
}

const obs = (status: string, recorded_at: string, extra: Partial<Obs> = {}): Obs => ({ status, recorded_at, ...extra });

/** Compares as the readers do: times as epoch ms, NaN for an unknown event time. */
function compare(a: Obs, b: Obs): number {
  const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
  return compareStatusMs(a.status, ms(a.event_at), Date.parse(a.recorded_at), b.status, ms(b.event_at), Date.parse(b.recorded_at));
}

/** Folds observations of one message in the given order, as a scan of the archive does. */
function foldAll(observations: Obs[]): MessageState {
  const states = new MessageStates();
  for (const o of observations) {
    const facts: RecordFacts = {
      source: 'callback',
      recorded_at: o.recorded_at,
      event_at: o.event_at ?? null,
      account_sid: 'AC0123456789abcdef0123456789abcdef',
      message_sid: SID,
      status: o.status,
      error_code: o.error_code ?? null,
      to: null,
      tags: {},
      params: {},
    };
    states.fold(facts);
  }
  return states.get(SID)!;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('status rules', () => {
  it('knows the final statuses', () => {
    for (const s of ['delivered', 'undelivered', 'failed', 'canceled', 'partially_delivered', 'read']) expect(isFinalStatus(s)).toBe(true);
    for (const s of ['accepted', 'scheduled', 'queued', 'sending', 'sent', 'receiving', 'something_new']) expect(isFinalStatus(s)).toBe(false);
  });

  it('ranks accepted/scheduled/queued < sending < sent < final < read, unknown lowest', () => {
    expect(statusRank('queued')).toBe(statusRank('accepted'));
    expect(statusRank('scheduled')).toBe(statusRank('queued'));
    expect(statusRank('queued')).toBeLessThan(statusRank('sending'));
    expect(statusRank('sending')).toBeLessThan(statusRank('sent'));
    for (const final of ['delivered', 'undelivered', 'failed', 'canceled', 'partially_delivered']) {
      expect(statusRank('sent')).toBeLessThan(statusRank(final));
      expect(statusRank(final)).toBeLessThan(statusRank('read'));
    }
    expect(statusRank('something_new')).toBeLessThan(statusRank('queued'));
  });

  it('breaks a rank tie by event_at, a known time beating an unknown one, then by recorded_at', () => {
    const early = obs('undelivered', '2026-11-26T10:05:00.000Z', { event_at: '2026-11-26T10:00:00.000Z' });
    const late = obs('delivered', '2026-11-26T10:01:00.000Z', { event_at: '2026-11-26T10:03:00.000Z' });
    expect(compare(late, early)).toBeGreaterThan(0);
    const unknownTime = obs('delivered', '2026-11-26T11:00:00.000Z');
    expect(compare(early, unknownTime)).toBeGreaterThan(0);
    const a = obs('sent', '2026-11-26T10:00:00.000Z');
    const b = obs('sent', '2026-11-26T10:00:00.001Z');
    expect(compare(b, a)).toBeGreaterThan(0);
    expect(compare(a, a)).toBe(0);
  });

  it('breaks a tie of two statuses of one rank at the same instants by name, whichever is folded first', () => {
    // A callback and an event that disagree, told at the same times: each engine reads them in its own order.
    const at = { event_at: '2026-11-26T10:00:00.000Z' };
    const undelivered = obs('undelivered', '2026-11-26T10:00:01.000Z', at);
    const failed = obs('failed', '2026-11-26T10:00:01.000Z', at);
    expect(compare(undelivered, failed)).toBeGreaterThan(0);
    expect(compare(failed, undelivered)).toBeLessThan(0);
    expect(foldAll([undelivered, failed]).status).toBe('undelivered');
    expect(foldAll([failed, undelivered]).status).toBe('undelivered');
  });

  it('resolves out-of-order and duplicated callbacks to the same latest status, whatever the arrival order', () => {
    const records = [
      obs('queued', '2026-11-26T10:00:00.000Z'),
      obs('sent', '2026-11-26T10:00:01.000Z'),
      obs('sent', '2026-11-26T10:00:01.000Z'),
      obs('delivered', '2026-11-26T10:00:05.000Z', { event_at: '2026-11-26T10:00:00.000Z' }),
      obs('sending', '2026-11-26T10:00:09.000Z'),
    ];
    for (const order of permutations(records)) {
      expect(foldAll(order).status).toBe('delivered');
    }
  });

  it('never lets a later record without an error code erase an earlier one', () => {
    const failed = obs('undelivered', '2026-11-26T10:00:05.000Z', { error_code: '30003' });
    const read = obs('read', '2026-11-26T10:00:09.000Z');
    for (const order of permutations([obs('sent', '2026-11-26T10:00:01.000Z'), failed, read])) {
      const state = foldAll(order);
      expect(state.status).toBe('read');
      expect(state.errorCode).toBe('30003');
    }
  });

  it('takes the error code of the latest observation that carries one, whatever the arrival order', () => {
    const first = obs('sent', '2026-11-26T10:00:01.000Z', { error_code: '30001' });
    const second = obs('undelivered', '2026-11-26T10:00:05.000Z', { error_code: '30005' });
    const third = obs('undelivered', '2026-11-26T10:00:07.000Z');
    for (const order of permutations([first, second, third])) expect(foldAll(order).errorCode).toBe('30005');
  });

  it("takes an inbound message's received for final, above receiving", () => {
    expect(isFinalStatus('received')).toBe(true);
    expect(isFinalStatus('receiving')).toBe(false);
    expect(statusRank('received')).toBeGreaterThan(statusRank('receiving'));
    expect(statusRank('receiving')).toBeGreaterThan(statusRank('teleported'));
  });
});
