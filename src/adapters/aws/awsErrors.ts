/** Error names the AWS services use for "slow down" and "try again". */
const RETRYABLE_NAMES = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  // Our own per-attempt timeout (AbortSignal.timeout) and the SDK's.
  'TimeoutError',
  'AbortError',
]);

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Throttling, 5xx, timeouts and dropped connections are worth another try;
 * a 4xx such as ResourceNotFoundException or bad credentials is not.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  if (e.$retryable) return true;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP answer at all: a network-level failure.
  return e.$metadata !== undefined || e.code !== undefined;
}

/** A short description for logs and error messages: the error's name and HTTP status, never request data. */
export function describeAwsError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as AwsLikeError;
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}${e.code && e.code !== e.name ? ` ${e.code}` : ''}`;
}
