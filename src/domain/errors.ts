/**
 * Input (a callback, a row, a request) that cannot become an archive record.
 * It is the sender's fault, so it maps to a 4xx; `field` names the culprit.
 */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The record would not fit in one Firehose record (1,000 KiB before base64). */
export class RecordTooLargeError extends InvalidInputError {
  override name = 'RecordTooLargeError';
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`record is ${sizeBytes} bytes; the archive takes at most ${limitBytes} bytes per record`);
  }
}
