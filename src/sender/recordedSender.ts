import { randomUUID } from 'node:crypto';
import type { Twilio } from 'twilio';
import type { MessageInstance, MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';
import type { WriteOutcome } from '../adapters/aws/archiveWriter';
import { FIREHOSE_MAX_RECORD_BYTES } from '../domain/archiveLayout';
import { toArchiveLine, type ArchiveRecord } from '../domain/archiveRecord';
import { InvalidInputError } from '../domain/errors';
import { redactParameters } from '../domain/redaction';
import type { MessageResource } from '../domain/resourceRecord';
import { buildSendErrorRecord, buildSendRecord, type SendFailure } from '../domain/sendRecord';
import { buildStatusCallbackUrl, checkTag, CLIENT_REF_TAG, type ConnectionOverrides } from '../domain/statusCallbackUrl';

/** Writes one archive line; resolves once the archive has acknowledged it. */
export interface ArchiveLineWriter {
  write(line: string, recordedAt: Date): Promise<WriteOutcome>;
}

export interface RecordedSenderOptions {
  /**
   * The Twilio client that sends. Give it no retries of 5xx answers or
   * timeouts on create: a retried create can send the message twice. (The
   * client's own `autoRetry` retries 429 only, which is safe.)
   */
  client: Twilio;
  /** The deployed status-callback Function: `https://<service>-<suffix>.twil.io/status-callback`. */
  functionUrl: string;
  /** Where the records go: an ArchiveWriter (Firehose, as the Function writes) or anything that writes a line. */
  archive: ArchiveLineWriter;
  /** Connection overrides for the callback URL's fragment. @default DEFAULT_CONNECTION_OVERRIDES */
  overrides?: ConnectionOverrides;
  /** Trailing digits of each phone number masked in records, as the Function's ARCHIVE_REDACT_DIGITS. @default 0 */
  redactDigits?: number;
  /** @default () => new Date() */
  now?: () => Date;
  /** Makes a client reference when the caller gives none. @default randomUUID */
  newClientRef?: () => string;
}

export interface SendOptions {
  /** The sender's own identifiers (e.g. `{ order_id: '42' }`), put on the callback URL and archived as `tags`. Names: `^[a-z][a-z0-9_]*$`. */
  tags?: Record<string, string>;
  /** This attempt's reference, archived as the tag `client_ref`; generated if not given. */
  clientRef?: string;
}

/** Message create parameters, less the status callback: the sender sets it. */
export type SendParams = Omit<MessageListInstanceCreateOptions, 'statusCallback'>;

/**
 * The send's outcome could not be recorded: the archive did not take the
 * record. The message was sent if `messageSid` is set (then `sent` holds what
 * Twilio returned); otherwise `sendError` is the error the send failed with.
 * `line` is the archive line that was not written: keep it, and append it to
 * the archive later, so that nothing is lost.
 */
export class UnrecordedSendError extends Error {
  override name = 'UnrecordedSendError';
  constructor(
    message: string,
    readonly messageSid: string | null,
    readonly record: ArchiveRecord,
    readonly line: string,
    readonly sent: MessageInstance | undefined,
    readonly sendError: unknown,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Sends messages through Twilio with a complete record of each attempt: a
 * `send` record with the SID and initial status Twilio returned (it never
 * sends a callback for that status), or a `send_error` record with the
 * envelope when no SID came back, so that the daily reconciliation can find
 * the message if Twilio created it after all.
 */
export class RecordedSender {
  private readonly now: () => Date;
  private readonly newClientRef: () => string;
  private readonly redactDigits: number;

  constructor(private readonly options: RecordedSenderOptions) {
    this.now = options.now ?? (() => new Date());
    this.newClientRef = options.newClientRef ?? randomUUID;
    this.redactDigits = options.redactDigits ?? 0;
    // Fails now, not on the first send, if the URL or the overrides are wrong.
    buildStatusCallbackUrl({ functionUrl: options.functionUrl, overrides: options.overrides });
  }

  /**
   * Creates the message with the status callback set, records the outcome,
   * and returns what `client.messages.create` returns, or rethrows its error
   * unchanged once the `send_error` record is written. Throws
   * UnrecordedSendError if the record could not be written, and
   * InvalidInputError before sending anything if the parameters cannot make a
   * record (no `to`, a bad tag name, a status callback of the caller's own).
   */
  async send(params: SendParams, options: SendOptions = {}): Promise<MessageInstance> {
    const tags = this.tagsOf(options);
    if (typeof params.to !== 'string' || params.to === '') throw new InvalidInputError('params.to is required: the record needs the recipient', 'to');
    if ('statusCallback' in params) throw new InvalidInputError('params.statusCallback is set by the sender; put identifiers in tags instead', 'statusCallback');
    const statusCallback = this.callbackUrl(tags);
    const request: MessageListInstanceCreateOptions = { ...params, statusCallback };

    const attemptedAt = this.now();
    let sent: MessageInstance;
    try {
      sent = await this.options.client.messages.create(request);
    } catch (sendError) {
      const envelope = {
        accountSid: this.options.client.accountSid,
        to: params.to,
        from: typeof params.from === 'string' ? params.from : null,
        messagingServiceSid: typeof params.messagingServiceSid === 'string' ? params.messagingServiceSid : null,
      };
      const recordedAt = this.now();
      // The callback URL carries the tags: the record keeps it as built from the tags as recorded (masked when redacting).
      const recordedRequest = { ...request, statusCallback: this.callbackUrl(redactParameters(tags, this.redactDigits) as Record<string, string>) };
      const record = buildSendErrorRecord(envelope, recordedRequest, failureOf(sendError), tags, attemptedAt, recordedAt, this.redactDigits);
      await this.record(record, recordedAt, undefined, sendError);
      throw sendError;
    }
    const recordedAt = this.now();
    await this.record(buildSendRecord(resourceOf(sent), tags, recordedAt, this.redactDigits), recordedAt, sent, undefined);
    return sent;
  }

  private callbackUrl(tags: Record<string, string>): string {
    return buildStatusCallbackUrl({ functionUrl: this.options.functionUrl, tags, overrides: this.options.overrides });
  }

  private tagsOf(options: SendOptions): Record<string, string> {
    const tags = { ...(options.tags ?? {}) };
    for (const [name, value] of Object.entries(tags)) checkTag(name, value);
    const given = tags[CLIENT_REF_TAG];
    if (given !== undefined && options.clientRef !== undefined && given !== options.clientRef) {
      throw new InvalidInputError(`clientRef and tags.${CLIENT_REF_TAG} differ`, CLIENT_REF_TAG);
    }
    tags[CLIENT_REF_TAG] = options.clientRef ?? given ?? this.newClientRef();
    return tags;
  }

  private async record(record: ArchiveRecord, recordedAt: Date, sent: MessageInstance | undefined, sendError: unknown): Promise<void> {
    const line = toArchiveLine(record);
    const what = sent ? `message ${sent.sid} was sent` : 'the send failed';
    const size = Buffer.byteLength(line, 'utf8');
    try {
      if (size > FIREHOSE_MAX_RECORD_BYTES) throw new Error(`the record is ${size} bytes; the archive takes at most ${FIREHOSE_MAX_RECORD_BYTES}`);
      await this.options.archive.write(line, recordedAt);
    } catch (archiveError) {
      const reason = archiveError instanceof Error ? archiveError.message : String(archiveError);
      throw new UnrecordedSendError(`${what}, but its record is not in the archive: ${reason}`, record.message_sid, record, line, sent, sendError, {
        cause: archiveError,
      });
    }
  }
}

/** What the error tells about the attempt: Twilio's answer (a RestException), or no answer at all. */
export function failureOf(error: unknown): SendFailure {
  const e = (error ?? {}) as { status?: unknown; code?: unknown; message?: unknown; moreInfo?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  // RestException: the only error twilio-node throws with an HTTP status from Twilio's answer. Told by name,
  // not instanceof: the caller's client may come from another copy of the twilio package than this module's.
  if (error instanceof Error && error.constructor.name === 'RestException' && typeof e.status === 'number') {
    return {
      kind: 'error_response',
      httpStatus: e.status,
      code: typeof e.code === 'number' ? e.code : null,
      message,
      moreInfo: typeof e.moreInfo === 'string' ? e.moreInfo : null,
    };
  }
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  return { kind: 'no_response', httpStatus: null, code: null, message: `${code}${message}`, moreInfo: null };
}

/**
 * The Message resource in the API's own form (snake_case, as Bulk Export and
 * the poller record it) from the client's MessageInstance, whose fields are the
 * API's camel-cased one to one; dates as ISO 8601 UTC.
 */
export function resourceOf(sent: MessageInstance): MessageResource {
  const resource: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sent.toJSON() as Record<string, unknown>)) {
    const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    resource[snake] = value instanceof Date ? value.toISOString() : value;
  }
  return resource as MessageResource;
}
