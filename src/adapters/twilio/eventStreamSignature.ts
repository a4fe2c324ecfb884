/**
 * Event Streams' webhook signature: X-Twilio-Signature is HMAC-SHA1 (keyed
 * by the auth token) over the sink URL with `?bodySHA256=<hex SHA-256 of the
 * raw body>` appended, and no body parameters (twilio-node's
 * validateRequestWithBody). The URL half proves Twilio sent a body with that
 * hash; the body half is checked separately against what the Function can see.
 */
// The validators alone: the whole `twilio` package takes ~200 ms to load, on every cold start.
import { validateBody, validateRequest } from 'twilio/lib/webhooks/webhooks';

export type DeliverySignature = 'valid' | 'signature missing' | 'signature invalid';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** The URL Twilio signed for a delivery to `sinkUrl` whose body hashes to `bodySHA256`. */
export function signedDeliveryUrl(sinkUrl: string, bodySHA256: string): string {
  return `${sinkUrl}?bodySHA256=${encodeURIComponent(bodySHA256)}`;
}

export function checkDeliverySignature(authToken: string, signature: string | null, sinkUrl: string, bodySHA256: string | null): DeliverySignature {
  if (signature === null) return 'signature missing';
  if (bodySHA256 === null || !HEX_SHA256.test(bodySHA256)) return 'signature invalid';
  return validateRequest(authToken, signature, signedDeliveryUrl(sinkUrl, bodySHA256), {}) ? 'valid' : 'signature invalid';
}

/** Whether `body` is the text whose hash Twilio signed (constant-time). */
export function bodyMatchesHash(body: string, bodySHA256: string): boolean {
  return validateBody(body, bodySHA256.toLowerCase());
}
