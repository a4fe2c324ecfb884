/**
 * Firehose's PutRecordBatch limits: at most 500 records and 4 MiB in one
 * call, fixed by AWS ("cannot be changed").
 */
export const FIREHOSE_MAX_BATCH_RECORDS = 500;
export const FIREHOSE_MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Records in order, cut into the fewest PutRecordBatch calls those limits allow. */
export function* firehoseBatches<T extends { length: number }>(records: readonly T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (batch.length === FIREHOSE_MAX_BATCH_RECORDS || (batch.length > 0 && bytes + record.length > FIREHOSE_MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += record.length;
  }
  if (batch.length > 0) yield batch;
}
