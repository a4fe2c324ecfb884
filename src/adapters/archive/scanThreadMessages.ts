import type { AlertFacts, RecordFacts } from '../../domain/archiveLine';
import type { CompactRecordBatch } from '../../domain/compactRecords';
import type { RecordRouting } from './objectReader';
import type { ScanReport } from './scanReport';

/** What a scan thread is started with. */
export interface ScanThreadData {
  routing: RecordRouting;
  keep: number;
}

/** The main thread to a scan thread: an object's stored bytes, as they are read from the store. */
export type ToScanThread =
  | { type: 'open'; id: number; key: string }
  | { type: 'bytes'; id: number; bytes: ArrayBuffer }
  | { type: 'end'; id: number }
  | { type: 'fail'; id: number; reason: string };

/** A scan thread to the main thread. `consumed`: stored bytes taken in, so that the reader may send more. */
export type FromScanThread =
  | { type: 'records'; id: number; batch: CompactRecordBatch; whole: RecordFacts[]; alerts: AlertFacts[] }
  | { type: 'consumed'; id: number; bytes: number }
  | { type: 'done'; id: number; report: ScanReport };
