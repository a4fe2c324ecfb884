import { EnvelopeMatcher } from '../../../src/domain/reconcile/envelopeMatcher';

const MIN = 60_000;
const t0 = Date.parse('2026-11-26T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

describe('EnvelopeMatcher', () => {
  it('matches an attempt to the one message with its recipient within the window, redacted or not', () => {
    const matcher = new EnvelopeMatcher([{ id: 'a1', to: '+1415555****', at: iso(t0) }], 5 * MIN);
    expect(matcher.offer({ sid: sid(1), to: '+14155550101', dateCreated: iso(t0 + 2 * MIN) })).toBe(true);
    expect(matcher.offer({ sid: sid(2), to: '+14155560101', dateCreated: iso(t0) })).toBe(false);
    expect(matcher.offer({ sid: sid(3), to: '+14155550101', dateCreated: iso(t0 + 6 * MIN) })).toBe(false);
    expect(matcher.outcomes()).toEqual([
      {
        category: 'matched_by_envelope',
        attempt: { id: 'a1', to: '+1415555****', at: iso(t0) },
        message: { sid: sid(1), to: '+14155550101', dateCreated: iso(t0 + 2 * MIN) },
      },
    ]);
  });

  it('includes both ends of the window', () => {
    const matcher = new EnvelopeMatcher([{ id: 'a', to: '+14155550101', at: iso(t0) }], 5 * MIN);
    expect(matcher.offer({ sid: sid(1), to: '+14155550101', dateCreated: iso(t0 - 5 * MIN) })).toBe(true);
    expect(matcher.offer({ sid: sid(2), to: '+14155550101', dateCreated: iso(t0 + 5 * MIN) })).toBe(true);
    expect(matcher.offer({ sid: sid(3), to: '+14155550101', dateCreated: iso(t0 + 5 * MIN + 1) })).toBe(false);
  });

  it('calls several candidates for one attempt ambiguous, and lists them', () => {
    const matcher = new EnvelopeMatcher([{ id: 'a', to: '+14155550101', at: iso(t0) }], 5 * MIN);
    matcher.offer({ sid: sid(1), to: '+14155550101', dateCreated: iso(t0 + MIN) });
    matcher.offer({ sid: sid(2), to: '+14155550101', dateCreated: iso(t0 + 2 * MIN) });
    const [outcome] = matcher.outcomes();
    expect(outcome.category).toBe('ambiguous_envelope');
    expect(outcome.category === 'ambiguous_envelope' && outcome.candidates.map((c) => c.sid)).toEqual([sid(1), sid(2)]);
  });

  it('calls one message claimed by several attempts ambiguous for each of them', () => {
    const matcher = new EnvelopeMatcher(
      [
        { id: 'a', to: '+14155550101', at: iso(t0) },
        { id: 'b', to: '+141555501**', at: iso(t0 + MIN) },
      ],
      5 * MIN,
    );
    matcher.offer({ sid: sid(1), to: '+14155550101', dateCreated: iso(t0 + 30_000) });
    const outcomes = matcher.outcomes();
    expect(outcomes.map((o) => o.category)).toEqual(['ambiguous_envelope', 'ambiguous_envelope']);
    expect(outcomes[0].category === 'ambiguous_envelope' && outcomes[0].competingAttempts).toEqual(['b']);
  });

  it('leaves an attempt with no candidate unmatched: the record of an unsuccessful attempt', () => {
    expect(new EnvelopeMatcher([{ id: 'a', to: '+14155550101', at: iso(t0) }], 5 * MIN).outcomes()[0].category).toBe('unmatched_send_error');
  });
});
