import pThrottle from 'p-throttle';

/**
 * A gate for the Twilio client's requests (retries included): at most
 * `perSecond` requests in any second, evenly spaced (one every
 * 1000/perSecond ms), for any rate ≥ 1. p-throttle's strict mode schedules
 * each call against the one before, so the long-run rate is exactly the one
 * asked for, and late timers do not drift it.
 */
export function requestRateGate(perSecond: number): () => Promise<void> {
  if (!Number.isFinite(perSecond) || perSecond < 1) throw new RangeError(`a request rate must be ≥ 1 per second, not ${perSecond}`);
  return pThrottle({ limit: 1, interval: 1000 / perSecond, strict: true })(() => Promise.resolve());
}
