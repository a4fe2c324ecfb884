/**
 * A worker thread of a parallel scan (scanThreads.ts): takes whole archive
 * objects as their stored bytes arrive from the main thread, gunzips, parses
 * and checks every line exactly as a scan in the main thread does
 * (objectReader.ts), and sends back the records as compact batches, the few
 * wanted whole, and each object's report.
 */
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { AlertFacts, FoldFacts, RecordFacts } from '../../domain/archiveLine';
import { CompactRecordWriter } from '../../domain/compactRecords';
import { lineParserFor, readObject, type RecordRouting, type RecordSink } from './objectReader';
import { emptyReport, problemKeeper } from './scanReport';
import type { FromScanThread, ScanThreadData, ToScanThread } from './scanThreadMessages';

const port = parentPort!;
const { routing, keep } = workerData as ScanThreadData;
const objects = new Map<number, PassThrough>();
const post = (message: FromScanThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToScanThread) => {
  if (message.type === 'open') {
    const stored = new PassThrough();
    objects.set(message.id, stored);
    void readInThread(message.id, message.key, stored, routing);
    return;
  }
  // An object whose reading already ended (a damaged gzip stops it) ignores what still comes.
  const stored = objects.get(message.id);
  if (!stored) return;
  if (message.type === 'bytes') stored.write(Buffer.from(message.bytes));
  else if (message.type === 'end') stored.end();
  else stored.destroy(new Error(message.reason));
});

async function readInThread(id: number, key: string, stored: PassThrough, routing: RecordRouting): Promise<void> {
  const report = emptyReport();
  const compact = new CompactRecordWriter();
  let whole: RecordFacts[] = [];
  let alerts: AlertFacts[] = [];
  const foldExcept = new Set(routing.foldExcept);
  const wanted = new Set(routing.whole);
  const send = () => {
    if (compact.count === 0 && whole.length === 0 && alerts.length === 0) return;
    const batch = compact.take();
    post({ type: 'records', id, batch, whole, alerts }, [batch.buffer]);
    whole = [];
    alerts = [];
  };
  const sink: RecordSink = {
    whole: wanted,
    fold: (facts) => {
      if (!routing.fold || facts.message_sid === null || foldExcept.has(facts.source)) return;
      compact.add(facts as FoldFacts & { message_sid: string });
      if (compact.full) send();
    },
    record: (facts) => {
      whole.push(facts);
      if (whole.length >= 1000) send();
    },
    alert: routing.alerts
      ? (alert) => {
          alerts.push(alert);
          if (alerts.length >= 1000) send();
        }
      : undefined,
  };
  await readObject(
    () => Promise.resolve(stored),
    key,
    sink,
    report,
    problemKeeper(report, keep),
    keep,
    (n) => post({ type: 'consumed', id, bytes: n }),
    lineParserFor(key, routing),
  );
  send();
  objects.delete(id);
  post({ type: 'done', id, report });
}
