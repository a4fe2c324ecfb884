/**
 * The sending application's side of the record (package entry
 * `twilio-message-archive/sender`): send through Twilio and archive every
 * attempt, SID or not. See README, "Sending messages with a complete record".
 */
export { RecordedSender, UnrecordedSendError } from './recordedSender';
export type { ArchiveLineWriter, RecordedIn, RecordedSenderOptions, SendOptions, SendParams, SendResult } from './recordedSender';
export { DEFAULT_SPOOL_DIR, RecordSpool } from '../adapters/spool/recordSpool';
export type { DrainOutcome } from '../adapters/spool/recordSpool';
export { readSenderConfig, recordedSenderFromEnv } from './senderConfig';
export type { SenderConfig } from './senderConfig';
export { ArchiveWriter, ArchiveWriteError } from '../adapters/aws/archiveWriter';
export type { ArchiveWriterSettings, ArchiveSettings } from '../config/archiveSettings';
export { ConfigError } from '../config/archiveSettings';
export { InvalidInputError } from '../domain/errors';
export { buildStatusCallbackUrl, DEFAULT_CONNECTION_OVERRIDES, CLIENT_REF_TAG, TAG_NAME } from '../domain/statusCallbackUrl';
export type { ConnectionOverrides } from '../domain/statusCallbackUrl';
export type { ArchiveRecord } from '../domain/archiveRecord';
