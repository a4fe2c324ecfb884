/**
 * --max-rps through the real twilio client against the fake Twilio API: the
 * rate the fake sees is the rate asked for, for slow, middling and fast rates.
 */
import { requestRateGate } from '../../src/adapters/twilio/requestRate';
import { TwilioMessageFetcher } from '../../src/adapters/twilio/messageFetcher';
import { twilioClientFromEnv } from '../../src/adapters/twilio/twilioClient';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;

let fake: FakeTwilioApi;
beforeAll(async () => {
  fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
  await fake.start();
  for (let i = 0; i < 10; i++) fake.putMessage({ sid: sid(i), account_sid: ACCOUNT });
});
afterAll(() => fake.stop());

/** Fetches `count` messages, ten at a time, through a client gated at `perSecond`; returns when the fake saw each. */
async function arrivals(perSecond: number, count: number): Promise<number[]> {
  const { client } = twilioClientFromEnv(
    { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url },
    { gate: requestRateGate(perSecond) },
  );
  const fetcher = new TwilioMessageFetcher(client);
  const first = fake.requestTimes.length;
  let next = 0;
  const worker = async () => {
    while (next < count) await fetcher.fetch(ACCOUNT, sid(next++ % 10));
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return fake.requestTimes.slice(first);
}

/** The most requests that arrived within any one second. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('--max-rps', () => {
  it.each([
    [1, 4],
    [25, 76],
    [100, 301],
  ])('at %i per second, the fake sees that rate, and no second much busier (%i requests)', async (perSecond, count) => {
    const times = await arrivals(perSecond, count);
    expect(times).toHaveLength(count);
    const achieved = ((count - 1) * 1000) / (times[count - 1] - times[0]);
    expect(achieved).toBeGreaterThan(perSecond * 0.93);
    expect(achieved).toBeLessThan(perSecond * 1.03);
    // Requests are spaced evenly; a timer or loopback hop a few ms late brings two arrivals closer, so
    // a second may see a few percent more: never the 20% (25/s) or 10× (1/s) of a limit rounded to tenths.
    expect(busiestSecond(times)).toBeLessThanOrEqual(Math.floor(perSecond * 1.05) + 1);
  });

  it('refuses a rate below one per second', () => {
    expect(() => requestRateGate(0.5)).toThrow(/≥ 1 per second/);
  });
});
