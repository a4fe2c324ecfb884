import {
  compareObservations,
  errorCodeOf,
  foldObservation,
  isFinalStatus,
  statusRank,
  type MessageStatusState,
  type StatusObservation,
} from '../../../src/domain/statusRules';

const obs = (status: string, recorded_at: string, extra: Partial<StatusObservation> = {}): StatusObservation => ({
  status,
  error_code: null,
  event_at: null,
  recorded_at,
  ...extra,
});

function foldAll(observations: StatusObservation[]): MessageStatusState {
  let state: MessageStatusState | undefined;
  for (const o of observations) state = foldObservation(state, o);
  return state!;
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
    expect(compareObservations(late, early)).toBeGreaterThan(0);
    const unknownTime = obs('delivered', '2026-11-26T11:00:00.000Z');
    expect(compareObservations(early, unknownTime)).toBeGreaterThan(0);
    const a = obs('sent', '2026-11-26T10:00:00.000Z');
    const b = obs('sent', '2026-11-26T10:00:00.001Z');
    expect(compareObservations(b, a)).toBeGreaterThan(0);
    expect(compareObservations(a, a)).toBe(0);
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
      expect(foldAll(order).latest.status).toBe('delivered');
    }
  });

  it('never lets a later record without an error code erase an earlier one', () => {
    const failed = obs('undelivered', '2026-11-26T10:00:05.000Z', { error_code: '30003' });
    const read = obs('read', '2026-11-26T10:00:09.000Z');
    for (const order of permutations([obs('sent', '2026-11-26T10:00:01.000Z'), failed, read])) {
      const state = foldAll(order);
      expect(state.latest.status).toBe('read');
      expect(errorCodeOf(state)).toBe('30003');
    }
  });

  it('takes the error code of the latest observation that carries one, whatever the arrival order', () => {
    const first = obs('sent', '2026-11-26T10:00:01.000Z', { error_code: '30001' });
    const second = obs('undelivered', '2026-11-26T10:00:05.000Z', { error_code: '30005' });
    const third = obs('undelivered', '2026-11-26T10:00:07.000Z');
    for (const order of permutations([first, second, third])) expect(errorCodeOf(foldAll(order))).toBe('30005');
  });
});
