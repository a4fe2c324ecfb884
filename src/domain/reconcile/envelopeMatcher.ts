import { addressesMatch } from './phoneMatch';

/** A send attempt that got no SID back (a `send_error` record). */
export interface SendAttempt {
  /** Unique within a run: where the record is, e.g. `<object key>:<line>`. */
  id: string;
  to: string;
  /** When the attempt was made: ISO-8601 UTC. */
  at: string;
}

/** A message of Twilio's list that has no `send` record in the archive. */
export interface EnvelopeCandidate {
  sid: string;
  to: string;
  /** ISO-8601 UTC. */
  dateCreated: string;
}

export type AttemptOutcome<A extends SendAttempt> =
  | { category: 'matched_by_envelope'; attempt: A; message: EnvelopeCandidate }
  | { category: 'ambiguous_envelope'; attempt: A; candidates: EnvelopeCandidate[]; competingAttempts: string[] }
  | { category: 'unmatched_send_error'; attempt: A };

/**
 * Matches send attempts without a SID to the messages of Twilio's list by
 * envelope: same recipient (exact, or equal on all but either side's redacted
 * trailing digits) and creation time within the window. Attempts are few
 * (failures), Twilio's list is long and streamed: rows are offered one at a
 * time and kept only when some attempt could match them.
 */
export class EnvelopeMatcher<A extends SendAttempt> {
  private readonly attempts: { attempt: A; at: number; candidates: EnvelopeCandidate[] }[];

  constructor(
    attempts: A[],
    private readonly windowMs: number,
  ) {
    this.attempts = attempts.map((attempt) => ({ attempt, at: Date.parse(attempt.at), candidates: [] })).sort((a, b) => a.at - b.at);
  }

  /** Offers one message of Twilio's list; returns whether any attempt took it as a candidate. */
  offer(candidate: EnvelopeCandidate): boolean {
    const created = Date.parse(candidate.dateCreated);
    let taken = false;
    for (let i = this.firstAtOrAfter(created - this.windowMs); i < this.attempts.length && this.attempts[i].at <= created + this.windowMs; i++) {
      if (addressesMatch(this.attempts[i].attempt.to, candidate.to)) {
        this.attempts[i].candidates.push(candidate);
        taken = true;
      }
    }
    return taken;
  }

  /**
   * One outcome per attempt: exactly one candidate that no other attempt also
   * claims is a match; several candidates, or a candidate claimed by several
   * attempts, is ambiguous; none is an unmatched attempt.
   */
  outcomes(): AttemptOutcome<A>[] {
    const claims = new Map<string, string[]>();
    for (const { attempt, candidates } of this.attempts) {
      for (const c of candidates) claims.set(c.sid, [...(claims.get(c.sid) ?? []), attempt.id]);
    }
    return this.attempts.map(({ attempt, candidates }) => {
      if (candidates.length === 0) return { category: 'unmatched_send_error', attempt };
      const competing = [...new Set(candidates.flatMap((c) => claims.get(c.sid) ?? []))].filter((id) => id !== attempt.id);
      if (candidates.length === 1 && competing.length === 0) return { category: 'matched_by_envelope', attempt, message: candidates[0] };
      return { category: 'ambiguous_envelope', attempt, candidates, competingAttempts: competing };
    });
  }

  private firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.attempts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.attempts[mid].at < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
