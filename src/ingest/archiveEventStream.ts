import { ArchiveWriteError } from '../adapters/aws/archiveWriter';
import { bodyMatchesHash, checkDeliverySignature } from '../adapters/twilio/eventStreamSignature';
import { ConfigError, readEventStreamSettings, type EventStreamSettings } from '../config/archiveSettings';
import { toArchiveLine, type ArchiveRecord } from '../domain/archiveRecord';
import { RecordTooLargeError } from '../domain/errors';
import { deliveryFromEvent, EMPTY_BODIES } from '../domain/eventStreamDelivery';
import { buildEventStreamRecord } from '../domain/eventStreamRecord';
import { ownValue } from '../domain/ownProperty';
import { errorAnswer, headerOf, jsonLog, openIngest, type IngestAnswer, type Log } from './ingestContext';

/** Said in every record of a delivery whose body, as the runtime passed it, is not the body Twilio signed. */
export const BODY_NOT_VERIFIED =
  "the delivery's signed body hash (bodySHA256) does not match its body as the Functions runtime parsed it and this Function wrote it back: the URL's signature is Twilio's, the body's content is not proven";

function text(event: Record<string, unknown>, name: string): string | null {
  const value = ownValue(event, name);
  return typeof value === 'string' ? value : null;
}

/**
 * An Event Streams webhook delivery, archived: check the signature, read the
 * events (one, or a batch), write them all with PutRecordBatch, and answer 200
 * only once every one is acknowledged. Twilio drops a delivery for good on any
 * 4xx but 429, so the only 4xx is an event too large for Firehose with no
 * fallback to take it (413, as a callback's); anything that kept an event out
 * of the archive is a 5xx, which Twilio retries for up to four hours.
 *
 * A signature that does not check is a 503 too, not a 4xx, and archives
 * nothing: its likeliest cause is not a forger but a sink whose destination
 * differs from the URL checked here by a character (a custom domain, a
 * trailing slash), and a 4xx would drop every genuine event for good. Retried,
 * they wait up to four hours for the operator to fix the URL; a forger gets
 * nothing either way.
 */
export async function archiveEventStream(
  event: Record<string, unknown>,
  env: Record<string, unknown>,
  log: Log = jsonLog,
  now: () => Date = () => new Date(),
): Promise<IngestAnswer> {
  const ingest = openIngest(env, log);
  if ('statusCode' in ingest) return ingest;
  let settings: EventStreamSettings;
  try {
    const domain = text(env, 'DOMAIN_NAME');
    const path = text(env, 'PATH');
    settings = readEventStreamSettings(env, domain && path ? `https://${domain}${path}` : undefined, ingest.config.writer.fallback !== undefined);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log('error', 'event-stream ingest is misconfigured', { error: error.message });
    return errorAnswer(500, 'the archive is not configured; see the Function logs');
  }

  const bodySHA256 = text(event, 'bodySHA256');
  const signature = checkDeliverySignature(settings.authToken, headerOf(event, 'x-twilio-signature'), settings.sinkUrl, bodySHA256);
  if (signature !== 'valid') {
    log('error', 'event-stream delivery not archived: its signature does not check; answering 503 so that Twilio retries for up to 4 hours', {
      reason: signature,
      checked_against: settings.sinkUrl,
      usual_cause:
        "the Event Streams sink's destination is not exactly this URL (a custom domain, a trailing slash, another path): set ARCHIVE_EVENT_STREAM_URL to the sink's destination, or run configure-event-stream, within 4 hours",
    });
    return errorAnswer(503, 'the delivery could not be verified against this sink URL; retry later');
  }

  const delivery = deliveryFromEvent(event);
  if (delivery === null) {
    if (EMPTY_BODIES.some((body) => bodyMatchesHash(body, bodySHA256!))) {
      log('info', 'event-stream delivery with no events');
      return { statusCode: 200, body: '' };
    }
    // The runtime parsed nothing (a content type other than JSON): the events are there but out of reach; Twilio retries.
    log('error', 'event-stream delivery not readable: the runtime passed no body', { content_type: headerOf(event, 'content-type') });
    return errorAnswer(503, 'the delivery body could not be read; retry later');
  }

  const recordedAt = now();
  const verified = bodyMatchesHash(delivery.rewritten, bodySHA256!);
  const records = delivery.events.map((element) => {
    const record: ArchiveRecord = buildEventStreamRecord(element, { recordedAt, redactDigits: ingest.config.redactDigits });
    if (!verified) record.problems = [...(record.problems ?? []), BODY_NOT_VERIFIED];
    return record;
  });
  const flagged = records.filter((record) => record.problems).length;
  if (flagged > 0) log('warn', 'event-stream events archived with problems', { events: records.length, flagged, body_verified: verified });

  try {
    const outcome = await ingest.writer.writeBatch(records.map(toArchiveLine), recordedAt, settings.budgetMs);
    if (outcome.fallback > 0) log('warn', 'event-stream events archived through the S3 fallback', { events: outcome.fallback, key: outcome.fallbackKey });
    return { statusCode: 200, body: '' };
  } catch (error) {
    if (error instanceof RecordTooLargeError) {
      log('warn', 'event-stream event refused: too large for Firehose, and no fallback is configured', { size_bytes: error.sizeBytes });
      return errorAnswer(413, error.message);
    }
    if (!(error instanceof ArchiveWriteError)) throw error;
    log('error', 'event-stream delivery not archived; answering 503 so that Twilio retries', {
      events: records.length,
      attempts: error.attempts,
      error: error.message,
    });
    return errorAnswer(503, 'the events could not be archived; retry later');
  }
}
