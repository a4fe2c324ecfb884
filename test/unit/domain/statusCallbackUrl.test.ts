import { InvalidInputError } from '../../../src/domain/errors';
import {
  buildStatusCallbackUrl,
  checkFunctionUrl,
  DEFAULT_CONNECTION_OVERRIDES,
  formatConnectionOverrides,
  parseConnectionOverrides,
} from '../../../src/domain/statusCallbackUrl';

const FUNCTION_URL = 'https://archive-1234-prod.twil.io/status-callback';

describe('buildStatusCallbackUrl', () => {
  it('puts the tags in the query and the default overrides in the fragment', () => {
    const url = buildStatusCallbackUrl({ functionUrl: FUNCTION_URL, tags: { order_id: '42', client_ref: 'r 1&x' } });
    expect(url).toBe('https://archive-1234-prod.twil.io/status-callback?order_id=42&client_ref=r+1%26x#tt=15000&rc=5&rp=all');
    const parsed = new URL(url);
    expect(Object.fromEntries(parsed.searchParams)).toEqual({ order_id: '42', client_ref: 'r 1&x' });
    expect(parseConnectionOverrides(parsed.hash)).toEqual(DEFAULT_CONNECTION_OVERRIDES);
  });

  it("takes overrides of the caller's own, and none at all", () => {
    expect(buildStatusCallbackUrl({ functionUrl: FUNCTION_URL, overrides: { connectTimeoutMs: 2000, retryCount: 2, retryPolicy: ['5xx', 'ct'] } })).toBe(
      `${FUNCTION_URL}#ct=2000&rc=2&rp=5xx,ct`,
    );
    expect(buildStatusCallbackUrl({ functionUrl: FUNCTION_URL, overrides: {} })).toBe(FUNCTION_URL);
  });

  it('keeps a query the Function URL already has, and accepts a fragment that says the same', () => {
    expect(buildStatusCallbackUrl({ functionUrl: `${FUNCTION_URL}?tenant=eu#rp=all&rc=5&tt=15000`, tags: { order_id: '7', tenant: 'eu' } })).toBe(
      `${FUNCTION_URL}?tenant=eu&order_id=7#tt=15000&rc=5&rp=all`,
    );
  });

  it.each([
    ['http', { functionUrl: 'http://archive-1234-prod.twil.io/status-callback' }, /must be https/],
    ['not a URL', { functionUrl: 'status-callback' }, /is not a URL/],
    ['credentials', { functionUrl: 'https://u:p@archive.twil.io/x' }, /credentials/],
    ['a conflicting fragment', { functionUrl: `${FUNCTION_URL}#rc=1` }, /already carries connection overrides #rc=1/],
    ['an unknown fragment key', { functionUrl: `${FUNCTION_URL}#retries=3` }, /"retries" is not a connection override/],
    ['a PascalCase tag', { functionUrl: FUNCTION_URL, tags: { OrderId: '1' } }, /tag name "OrderId" must match/],
    ['a tag the URL holds with another value', { functionUrl: `${FUNCTION_URL}?tenant=eu`, tags: { tenant: 'us' } }, /tag tenant is already in the URL/],
    ['an override out of range', { functionUrl: FUNCTION_URL, overrides: { retryCount: 6 } }, /rc must be a whole number from 0 to 5, not 6/],
    ['an unknown retry policy', { functionUrl: FUNCTION_URL, overrides: { retryPolicy: ['3xx'] } }, /"3xx" is not one of/],
  ])('refuses %s', (_name, parts, message) => {
    expect(() => buildStatusCallbackUrl(parts)).toThrow(InvalidInputError);
    expect(() => buildStatusCallbackUrl(parts)).toThrow(message);
  });
});

describe('connection overrides', () => {
  it("format and parse are each other's inverse, in a fixed key order", () => {
    const all = { connectTimeoutMs: 100, readTimeoutMs: 15000, totalTimeMs: 9000, retryCount: 0, retryPolicy: ['4xx', 'rt'] };
    expect(formatConnectionOverrides(all)).toBe('ct=100&rt=15000&tt=9000&rc=0&rp=4xx,rt');
    expect(parseConnectionOverrides('#rp=4xx,rt&rc=0&tt=9000&rt=15000&ct=100')).toEqual(all);
  });

  it('refuses a key given twice, a non-number and an empty policy', () => {
    expect(() => parseConnectionOverrides('rc=1&rc=2')).toThrow(/rc is given twice/);
    expect(() => parseConnectionOverrides('ct=fast')).toThrow(/ct must be a whole number, not "fast"/);
    expect(() => formatConnectionOverrides({ retryPolicy: [] })).toThrow(/at least one/);
  });
});

describe('checkFunctionUrl', () => {
  it('accepts an https URL', () => {
    expect(checkFunctionUrl(FUNCTION_URL).hostname).toBe('archive-1234-prod.twil.io');
  });
});
