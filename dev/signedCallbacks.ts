import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

/**
 * Posts a form-encoded callback signed as Twilio signs it: the full URL (query
 * included, fragment not: it never leaves the client) plus the sorted body
 * parameters, HMAC-SHA1 with the auth token.
 */
export async function postSignedCallback(
  url: string,
  params: Record<string, string>,
  authToken: string,
  init: { signature?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const signedUrl = url.split('#')[0];
  const signature = init.signature === undefined ? getExpectedTwilioSignature(authToken, signedUrl, params) : init.signature;
  return fetch(signedUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'User-Agent': 'TwilioProxy/1.1',
      ...(signature === null ? {} : { 'X-Twilio-Signature': signature }),
      ...init.headers,
    },
    body: new URLSearchParams(params).toString(),
    signal: init.signal,
  });
}

export function randomSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** `YYMMDDhhmm` in UTC, as carriers report delivery. */
export function rawDlrDoneDate(at: Date): string {
  return at.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d).*$/, '$1$2$3$4$5');
}

/**
 * A realistic day in miniature: the callbacks Twilio sends for an SMS that is
 * delivered, one that fails, an MMS that is undelivered and a WhatsApp message
 * that is read. Numbers are from the reserved 555-01xx fiction range.
 */
export function sampleCallbacks(accountSid: string, now = new Date()): Record<string, string>[] {
  const service = randomSid('MG');
  const base = { AccountSid: accountSid, MessagingServiceSid: service, ApiVersion: '2010-04-01', From: '+15005550006' };
  const sms = randomSid('SM');
  const failed = randomSid('SM');
  const mms = randomSid('MM');
  const wa = randomSid('SM');
  const done = rawDlrDoneDate(now);
  const status = (sid: string, to: string, s: string, extra: Record<string, string> = {}) => ({
    ...base,
    MessageSid: sid,
    SmsSid: sid,
    To: to,
    MessageStatus: s,
    SmsStatus: s,
    ...extra,
  });
  const waBase = { From: 'whatsapp:+15005550006', ChannelPrefix: 'whatsapp', ChannelInstallSid: randomSid('XE'), ChannelToAddress: '+14155550142' };
  return [
    status(sms, '+14155550101', 'sent'),
    status(sms, '+14155550101', 'delivered', { RawDlrDoneDate: done }),
    status(failed, '+14155550102', 'failed', { ErrorCode: '30008' }),
    status(mms, '+14155550103', 'sent'),
    status(mms, '+14155550103', 'undelivered', { ErrorCode: '30003', RawDlrDoneDate: done }),
    status(wa, 'whatsapp:+14155550142', 'sent', waBase),
    status(wa, 'whatsapp:+14155550142', 'delivered', waBase),
    status(wa, 'whatsapp:+14155550142', 'read', { ...waBase, EventType: 'READ' }),
  ];
}

/**
 * A Debugger webhook alert as Twilio posts one (form parameters, the payload
 * as JSON text): an error about a message that could not be delivered.
 */
export function sampleDebuggerAlert(accountSid: string, messageSid: string, now = new Date()): Record<string, string> {
  return {
    Sid: randomSid('NO'),
    AccountSid: accountSid,
    ParentAccountSid: '',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Level: 'ERROR',
    PayloadType: 'application/json',
    Payload: JSON.stringify({
      resource_sid: messageSid,
      service_sid: null,
      error_code: '30003',
      more_info: { Msg: 'Unreachable destination handset', To: '+14155550103' },
      webhook: { type: 'application/json', request: { url: null } },
    }),
  };
}
