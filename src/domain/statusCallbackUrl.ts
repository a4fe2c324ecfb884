import { InvalidInputError } from './errors';

/**
 * Twilio's webhook connection overrides, carried in the callback URL's
 * fragment (`#rc=5&rp=all&tt=15000`). The fragment never reaches the
 * Function; Twilio reads it to decide how long to wait and whether to retry.
 */
export interface ConnectionOverrides {
  /** `ct`: connect timeout, 100–10000 ms. */
  connectTimeoutMs?: number;
  /** `rt`: read timeout, 100–15000 ms. */
  readTimeoutMs?: number;
  /** `tt`: total time for all attempts, 100–15000 ms. */
  totalTimeMs?: number;
  /** `rc`: retries, 0–5 (Twilio's default is 1). */
  retryCount?: number;
  /** `rp`: what is retried: any of `4xx`, `5xx`, `ct`, `rt`, or `all`. */
  retryPolicy?: string[];
}

/**
 * What the project recommends: a 5xx from the Function (its archive write
 * failed) is retried up to five times within 15 s, which fits the Function's
 * 7 s write budget and one more attempt. Retries can only duplicate a record.
 */
export const DEFAULT_CONNECTION_OVERRIDES: Readonly<ConnectionOverrides> = { retryCount: 5, retryPolicy: ['all'], totalTimeMs: 15000 };

/** A tag name the Function can never mistake for one of Twilio's PascalCase parameters. */
export const TAG_NAME = /^[a-z][a-z0-9_]*$/;

/** The tag the sending library puts its client reference under; the reconciliation's evidence names it. */
export const CLIENT_REF_TAG = 'client_ref';

const RETRY_POLICIES = new Set(['4xx', '5xx', 'ct', 'rt', 'all']);

interface OverrideKey {
  key: 'ct' | 'rt' | 'tt' | 'rc';
  field: 'connectTimeoutMs' | 'readTimeoutMs' | 'totalTimeMs' | 'retryCount';
  min: number;
  max: number;
}

const NUMERIC_OVERRIDES: readonly OverrideKey[] = [
  { key: 'ct', field: 'connectTimeoutMs', min: 100, max: 10000 },
  { key: 'rt', field: 'readTimeoutMs', min: 100, max: 15000 },
  { key: 'tt', field: 'totalTimeMs', min: 100, max: 15000 },
  { key: 'rc', field: 'retryCount', min: 0, max: 5 },
];

/** Checks overrides against Twilio's documented ranges; throws InvalidInputError naming the first bad one. */
export function checkConnectionOverrides(overrides: ConnectionOverrides): void {
  for (const { key, field, min, max } of NUMERIC_OVERRIDES) {
    const value = overrides[field];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new InvalidInputError(`connection override ${key} must be a whole number from ${min} to ${max}, not ${value}`, key);
    }
  }
  const policy = overrides.retryPolicy;
  if (policy !== undefined) {
    if (policy.length === 0) throw new InvalidInputError('connection override rp must name at least one of 4xx, 5xx, ct, rt, all', 'rp');
    const unknown = policy.find((p) => !RETRY_POLICIES.has(p));
    if (unknown !== undefined) throw new InvalidInputError(`connection override rp: "${unknown}" is not one of 4xx, 5xx, ct, rt, all`, 'rp');
  }
}

/** `{retryCount: 5, retryPolicy: ['all']}` → `rc=5&rp=all`, keys in a fixed order; '' when there are none. */
export function formatConnectionOverrides(overrides: ConnectionOverrides): string {
  checkConnectionOverrides(overrides);
  const parts: string[] = [];
  for (const { key, field } of NUMERIC_OVERRIDES) {
    const value = overrides[field];
    if (value !== undefined) parts.push(`${key}=${value}`);
  }
  if (overrides.retryPolicy) parts.push(`rp=${overrides.retryPolicy.join(',')}`);
  return parts.join('&');
}

/** `rc=5&rp=all` → overrides; throws InvalidInputError on an unknown key, a repeated key or a value out of range. */
export function parseConnectionOverrides(fragment: string): ConnectionOverrides {
  const overrides: ConnectionOverrides = {};
  const seen = new Set<string>();
  for (const part of fragment.replace(/^#/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (seen.has(key)) throw new InvalidInputError(`connection override ${key} is given twice`, key);
    seen.add(key);
    const numeric = NUMERIC_OVERRIDES.find((o) => o.key === key);
    if (numeric) {
      if (!/^\d+$/.test(value)) throw new InvalidInputError(`connection override ${key} must be a whole number, not "${value}"`, key);
      overrides[numeric.field] = Number(value);
    } else if (key === 'rp') {
      overrides.retryPolicy = value.split(',');
    } else {
      // Twilio also knows `e` (edge) and `sni`; this project does not set them, so it does not guess at their values.
      throw new InvalidInputError(`"${key}" is not a connection override this project knows (ct, rt, tt, rc, rp)`, key);
    }
  }
  checkConnectionOverrides(overrides);
  return overrides;
}

/**
 * The Function URL must be https, so that callbacks (and the signature that
 * proves them) cannot be read or changed on the way, and must carry no
 * credentials. A query or fragment of its own is checked where tags and
 * overrides are added (buildStatusCallbackUrl).
 */
export function checkFunctionUrl(functionUrl: string): URL {
  let url: URL;
  try {
    url = new URL(functionUrl);
  } catch {
    throw new InvalidInputError(`"${functionUrl}" is not a URL`, 'url');
  }
  if (url.protocol !== 'https:') throw new InvalidInputError(`the status callback URL must be https, not ${url.protocol.replace(':', '')}`, 'url');
  if (url.username || url.password) throw new InvalidInputError('the status callback URL must not carry credentials', 'url');
  return url;
}

export interface CallbackUrlParts {
  /** The deployed Function's https URL. It may carry tags of its own as a query; its fragment, if any, must agree with `overrides`. */
  functionUrl: string;
  /** The sender's identifiers, archived as `tags`. Names must match TAG_NAME. */
  tags?: Record<string, string>;
  /** Connection overrides for the fragment. @default DEFAULT_CONNECTION_OVERRIDES */
  overrides?: ConnectionOverrides;
}

/**
 * The status callback URL: the Function URL, the tags as query parameters, and
 * the connection overrides as the fragment. Refuses a tag name the Function
 * would take for one of Twilio's parameters, a tag the URL already holds with
 * another value, and a URL whose own fragment says something else than the
 * overrides.
 */
export function buildStatusCallbackUrl(parts: CallbackUrlParts): string {
  const url = checkFunctionUrl(parts.functionUrl);
  const overrides = parts.overrides ?? DEFAULT_CONNECTION_OVERRIDES;
  const fragment = formatConnectionOverrides(overrides);
  if (url.hash !== '' && url.hash !== '#') {
    const own = formatConnectionOverrides(parseConnectionOverrides(url.hash));
    if (own !== fragment) throw new InvalidInputError(`the URL already carries connection overrides #${own}, which conflict with #${fragment}`, 'fragment');
  }
  for (const [name, value] of Object.entries(parts.tags ?? {})) {
    checkTag(name, value);
    const existing = url.searchParams.getAll(name);
    if (existing.length > 0 && (existing.length > 1 || existing[0] !== value)) {
      throw new InvalidInputError(`tag ${name} is already in the URL with another value`, name);
    }
    if (existing.length === 0) url.searchParams.append(name, value);
  }
  url.hash = fragment;
  return url.toString();
}

/** Throws InvalidInputError for a tag the Function could not tell from Twilio's own parameters. */
export function checkTag(name: string, value: unknown): void {
  if (!TAG_NAME.test(name)) {
    throw new InvalidInputError(`tag name "${name}" must match ${TAG_NAME.source}: the Function tells tags from Twilio's PascalCase parameters by name`, name);
  }
  if (typeof value !== 'string') throw new InvalidInputError(`tag ${name} must be a string`, name);
}
