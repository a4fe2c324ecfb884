import { createHash, randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { INBOUND_EVENT } from '../src/domain/eventStreamRecord';
import { randomSid } from './signedCallbacks';

/**
 * Event Streams deliveries shaped as Twilio's docs show them (CloudEvents
 * 1.0; `Messaging.MessageStatus` and `Messaging.InboundMessageV1` data), for
 * the local stack's samples, the tests and the benchmarks.
 */

export interface StatusEventFields {
  accountSid: string;
  messageSid: string;
  status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'read';
  at: Date;
  to?: string;
  from?: string;
  messagingServiceSid?: string;
  errorCode?: number;
  rawDlrDoneDate?: Date;
  tags?: Record<string, unknown>;
  /** The event id, Twilio's de-duplication key. @default a new EZ… id */
  id?: string;
}

/** A new event id, like Twilio's (`EZ` and 32 hex digits). */
export function eventId(): string {
  return `EZ${randomBytes(16).toString('hex')}`;
}

/** Twilio's timestamps carry nanoseconds. */
function nanoTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1495225Z');
}

export function messageStatusEvent(fields: StatusEventFields): Record<string, unknown> {
  const type = `com.twilio.messaging.message.${fields.status}`;
  return {
    specversion: '1.0',
    type,
    source: `/2010-04-01/Accounts/${fields.accountSid}/Messages/${fields.messageSid}.json`,
    id: fields.id ?? eventId(),
    dataschema: 'https://events-schemas.twilio.com/Messaging.MessageStatus/8',
    datacontenttype: 'application/json',
    data: {
      messageSid: fields.messageSid,
      timestamp: nanoTime(fields.at),
      accountSid: fields.accountSid,
      eventName: type,
      apiVersion: '2010-04-01',
      from: fields.from ?? '+15005550006',
      to: fields.to ?? '+14155550101',
      messageStatus: fields.status.toUpperCase(),
      ...(fields.messagingServiceSid ? { messagingServiceSid: fields.messagingServiceSid } : {}),
      ...(fields.errorCode !== undefined ? { errorCode: fields.errorCode } : {}),
      ...(fields.rawDlrDoneDate ? { rawDlrDoneDate: fields.rawDlrDoneDate.toISOString() } : {}),
      ...(fields.tags ? { tags: fields.tags } : {}),
      numberOfSegments: 1,
    },
  };
}

export function inboundMessageEvent(fields: { accountSid: string; messageSid: string; at: Date; from?: string; to?: string; body?: string; id?: string }) {
  return {
    specversion: '1.0',
    type: INBOUND_EVENT,
    source: `/2010-04-01/Accounts/${fields.accountSid}/Messages/${fields.messageSid}.json`,
    id: fields.id ?? eventId(),
    dataschema: 'https://events-schemas.twilio.com/Messaging.InboundMessageV1/6',
    datacontenttype: 'application/json',
    data: {
      messageSid: fields.messageSid,
      timestamp: nanoTime(fields.at),
      accountSid: fields.accountSid,
      from: fields.from ?? '+14155550142',
      to: fields.to ?? '+15005550006',
      body: fields.body ?? 'STOP',
      numMedia: 0,
      numSegments: 1,
      fromCountry: 'US',
      fromState: 'CA',
      toCountry: 'US',
    },
  };
}

/** A realistic delivery: a message sent and delivered, one that failed, and an inbound reply. */
export function sampleEventStreamDelivery(accountSid: string, now = new Date()): Record<string, unknown>[] {
  const service = randomSid('MG');
  const delivered = randomSid('SM');
  const failed = randomSid('SM');
  const earlier = new Date(now.getTime() - 2000);
  return [
    messageStatusEvent({ accountSid, messageSid: delivered, status: 'sent', at: earlier, messagingServiceSid: service, tags: { order_id: 'o-1001' } }),
    messageStatusEvent({
      accountSid,
      messageSid: delivered,
      status: 'delivered',
      at: now,
      messagingServiceSid: service,
      rawDlrDoneDate: now,
      tags: { order_id: 'o-1001' },
    }),
    messageStatusEvent({ accountSid, messageSid: failed, status: 'failed', at: now, to: '+14155550102', messagingServiceSid: service, errorCode: 30008 }),
    inboundMessageEvent({ accountSid, messageSid: randomSid('SM'), at: now }),
  ];
}

/**
 * Posts a JSON body as Event Streams' webhook sink does: `bodySHA256` (hex
 * SHA-256 of the raw body) appended to the sink URL, and X-Twilio-Signature
 * over that URL alone. `body` is sent as given when it is a string.
 */
export async function postSignedDelivery(
  sinkUrl: string,
  body: unknown,
  authToken: string,
  init: { signature?: string | null; headers?: Record<string, string>; signal?: AbortSignal; signedFor?: string } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const query = `?bodySHA256=${createHash('sha256').update(raw, 'utf8').digest('hex')}`;
  const url = `${sinkUrl}${query}`;
  // `signedFor`: the sink's destination as Twilio holds it, when the request reaches the Function by another URL.
  const signature = init.signature === undefined ? getExpectedTwilioSignature(authToken, `${init.signedFor ?? sinkUrl}${query}`, {}) : init.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(signature === null ? {} : { 'X-Twilio-Signature': signature }),
      ...init.headers,
    },
    body: raw,
    signal: init.signal,
  });
}
