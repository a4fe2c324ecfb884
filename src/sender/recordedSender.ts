import { randomUUID } from 'node:crypto';
import type { Twilio } from 'twilio';
import type { MessageInstance, MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';
import type { WriteOutcome } from '../adapters/aws/archiveWriter';
import { DEFAULT_SPOOL_DIR, RecordSpool, type DrainOutcome } from '../adapters/spool/recordSpool';
import { toArchiveLine, type ArchiveRecord } from '../domain/archiveRecord';
import { InvalidInputError } from '../domain/errors';
import { redactParameters } from '../domain/redaction';
import type { MessageResource } from '../domain/resourceRecord';
import { buildSendErrorRecord, buildSendRecord, buildUnbuildableRecord, type SendFailure } from '../domain/sendRecord';
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
  /**
   * The folder of the local spool that keeps a record the archive would not
   * take, until a later send or `npm run drain-spool` appends it. Put it on
   * storage that outlives the process. @default DEFAULT_SPOOL_DIR (`./.message-archive-spool`)
   */
  spoolDir?: string;
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

/** Where an attempt's record went: the archive, or the local spool (appended to the archive later). */
export type RecordedIn = 'archive' | 'spool';

/** A sent message and where its `send` record is. */
export interface SendResult {
  /** What `client.messages.create` returned. */
  message: MessageInstance;
  recorded: RecordedIn;
}

/**
 * The send's outcome could not be recorded: neither the archive nor the local
 * spool took the record. The message was sent if `messageSid` is set (then
 * `sent` holds what Twilio returned); otherwise `sendError` is the error the
 * send failed with. `line` is the archive line that was not written: keep it,
 * and append it to the archive later, so that nothing is lost.
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
  readonly spool: RecordSpool;
  /** Whether the spool may hold entries: true until a drain finds it empty, and after every spooled record. */
  private spoolMayHold = true;
  private draining: Promise<DrainOutcome> | null = null;

  constructor(private readonly options: RecordedSenderOptions) {
    this.now = options.now ?? (() => new Date());
    this.newClientRef = options.newClientRef ?? randomUUID;
    this.redactDigits = options.redactDigits ?? 0;
    this.spool = new RecordSpool(options.spoolDir ?? DEFAULT_SPOOL_DIR);
    // Fails now, not on the first send, if the URL or the overrides are wrong.
    buildStatusCallbackUrl({ functionUrl: options.functionUrl, overrides: options.overrides });
  }

  /**
   * Creates the message with the status callback set, records the outcome,
   * and resolves with what `client.messages.create` returned and where the
   * record went; or rethrows the create's error unchanged once the
   * `send_error` record is kept. Once Twilio has returned a SID this never
   * rejects, unless neither the archive nor the spool would take the record
   * (UnrecordedSendError): a caller that retries on errors must not send the
   * message twice. Throws InvalidInputError before sending anything if the
   * parameters cannot make a record (no `to`, a bad tag name, a status
   * callback of the caller's own).
   */
  async send(params: SendParams, options: SendOptions = {}): Promise<SendResult> {
    const tags = this.tagsOf(options);
    if (typeof params.to !== 'string' || params.to === '') throw new InvalidInputError('params.to is required: the record needs the recipient', 'to');
    if ('statusCallback' in params)
      throw new InvalidInputError('params.statusCallback is set by the sender; put identifiers in tags instead', 'statusCallback');
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
      await this.record(
        () => {
          // The callback URL carries the tags: the record keeps it as built from the tags as recorded (masked when redacting).
          const recordedRequest = { ...request, statusCallback: this.callbackUrl(redactParameters(tags, this.redactDigits) as Record<string, string>) };
          return buildSendErrorRecord(envelope, recordedRequest, failureOf(sendError), tags, attemptedAt, recordedAt, this.redactDigits);
        },
        { source: 'send_error', accountSid: envelope.accountSid, tags, recordedAt },
        undefined,
        sendError,
      );
      throw sendError;
    }
    // From here on the message exists: whatever happens, its SID must be kept, and the caller must not be told it failed.
    const recordedAt = this.now();
    const recorded = await this.record(
      () => buildSendRecord(resourceOf(sent), tags, recordedAt, this.redactDigits),
      { source: 'send', messageSid: String(sent?.sid), accountSid: String(sent?.accountSid ?? this.options.client.accountSid), tags, recordedAt },
      sent,
      undefined,
    );
    return { message: sent, recorded };
  }

  /**
   * Appends what the spool holds to the archive (as `npm run drain-spool`
   * does), waiting for a drain already under way first. Every later send
   * also starts one in the background when the spool may hold entries.
   */
  async drainSpool(limit = Infinity): Promise<DrainOutcome> {
    await this.draining?.catch(() => undefined);
    return this.startDrain(limit);
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

  /**
   * Builds the record and keeps it: in the archive, else in the local spool.
   * Building is inside the guard: a record that cannot be built whole is kept
   * in its minimal form (the SID, the tags, and the reason as a problem).
   */
  private async record(
    build: () => ArchiveRecord,
    identity: Parameters<typeof buildUnbuildableRecord>[0],
    sent: MessageInstance | undefined,
    sendError: unknown,
  ): Promise<RecordedIn> {
    let record: ArchiveRecord;
    try {
      record = build();
    } catch (buildError) {
      record = buildUnbuildableRecord(
        identity,
        `the full record could not be built: ${(buildError as Error)?.message ?? String(buildError)}`,
        this.redactDigits,
      );
    }
    const line = toArchiveLine(record);
    try {
      await this.options.archive.write(line, identity.recordedAt);
      if (this.spoolMayHold) void this.startDrain(SPOOL_DRAIN_PER_SEND).catch(() => undefined);
      return 'archive';
    } catch (archiveError) {
      try {
        await this.spool.put(line);
        this.spoolMayHold = true;
        return 'spool';
      } catch (spoolError) {
        const what = sent ? `message ${sent.sid} was sent` : 'the send failed';
        const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
        throw new UnrecordedSendError(
          `${what}, but its record is neither in the archive (${reason(archiveError)}) nor in the spool at ${this.spool.dir} (${reason(spoolError)})`,
          record.message_sid,
          record,
          line,
          sent,
          sendError,
          { cause: archiveError },
        );
      }
    }
  }

  /** One drain at a time; the spool is written to the archive the way the sender writes. */
  private startDrain(limit: number): Promise<DrainOutcome> {
    if (this.draining) return this.draining;
    const drain = this.spool
      .drain(async (line, recordedAt) => void (await this.options.archive.write(line, recordedAt)), limit)
      .then((outcome) => {
        if (outcome.remaining === 0 && outcome.error === null) this.spoolMayHold = false;
        return outcome;
      })
      .finally(() => {
        this.draining = null;
      });
    this.draining = drain;
    return drain;
  }
}

/** Spooled records appended in the background after each send that reached the archive. */
const SPOOL_DRAIN_PER_SEND = 100;

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
