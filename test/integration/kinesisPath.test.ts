/**
 * The Kinesis path's objects (`events/`: CloudEvents as Twilio put them into
 * the stream, one a line, delivered by Firehose) read by the same scan as the
 * rest of the archive, from a folder and from S3 (s3rver), on one thread and
 * on two; and history --engine athena refusing a window that holds any (its
 * SQL searches record lines only; the Athena reconciliation and stale scan
 * read the events: test/integration/sqlCategories.differential.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { inboundMessageEvent, messageStatusEvent } from '../../dev/eventStreamSamples';
import { FolderArchiveStore, S3ArchiveStore, type ArchiveStore } from '../../src/adapters/archive/archiveStore';
import { scanWindow } from '../../src/adapters/archive/windowScan';
import { DEFAULT_ARCHIVE_LAYOUT } from '../../src/config/archiveSettings';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import { buildCallbackRecord } from '../../src/domain/callbackRecord';
import { MessageStates } from '../../src/domain/messageState';
import { refuseCloudEventObjects } from '../../src/warehouse/warehouseRead';
import { ACCOUNT_SID, smsCallback } from '../helpers/callbacks';
import { startS3rver, type S3rverHandle } from '../helpers/s3rverProcess';

const sid = (n: number) => `SM${n.toString(16).padStart(32, '0')}`;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 10, minute));
const FROM = new Date('2026-11-25T10:00:00Z');
const TO = new Date('2026-11-25T11:00:00Z');

/** Two objects of CloudEvents in Firehose's layout under events/ (one gzip, with a damaged line), and a callback under firehose/. */
function objects(): Map<string, Buffer> {
  const lines = [
    messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: sid(1), status: 'sent', at: at(1) }),
    messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: sid(1), status: 'delivered', at: at(2) }),
    '{"specversion":"1.0","type":',
    inboundMessageEvent({ accountSid: ACCOUNT_SID, messageSid: sid(2), at: at(3) }),
    { specversion: '1.0', type: 'com.twilio.voice.insights.call-summary.complete', id: 'EZvoice', data: {} },
  ].map((line) => (typeof line === 'string' ? line : JSON.stringify(line)));
  const key = (minute: number, uuid: string, gzip: boolean) =>
    firehoseObjectKey({ prefix: DEFAULT_ARCHIVE_LAYOUT.events, streamName: 'message-archive-events', streamVersion: 1, oldestArrival: at(minute), uuid, gzip });
  const callback = buildCallbackRecord(smsCallback({ MessageSid: sid(3), SmsSid: sid(3), MessageStatus: 'sent', SmsStatus: 'sent' }), { recordedAt: at(4) });
  return new Map([
    [key(5, 'a', true), gzipSync(`${lines.slice(0, 3).join('\n')}\n`)],
    [key(6, 'b', false), Buffer.from(`${lines.slice(3).join('\n')}\n`)],
    [
      firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at(4), uuid: 'c', gzip: false }),
      Buffer.from(toArchiveLine(callback)),
    ],
  ]);
}

async function scan(store: ArchiveStore, threads: number, redactDigits = 0) {
  const states = new MessageStates();
  const to: Record<string, string | null> = {};
  const report = await scanWindow(store, DEFAULT_ARCHIVE_LAYOUT, FROM, TO, {
    allowEmpty: false,
    states,
    threads,
    redactDigits,
    onRecord: (facts) => (to[facts.message_sid!] = facts.to),
    wholeSources: ['event_stream'],
  });
  return {
    states: Object.fromEntries([...states.entries()].map(([s, state]) => [s, { status: state.status, to: to[s] ?? null }])),
    report: {
      records: report.records,
      malformed: report.malformedLines,
      problems: report.problems,
      flagged: report.flaggedRecords,
      unattributable: report.unattributableRecords,
    },
  };
}

describe("the Kinesis path's objects", () => {
  let dir: string;
  let folder: FolderArchiveStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kinesis-path-'));
    folder = new FolderArchiveStore(dir);
    for (const [key, body] of objects()) await folder.put(key, body);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are read through the Event Streams mapping beside the other records: statuses folded, a damaged line reported where it is', async () => {
    const { states, report } = await scan(folder, 1);
    expect(states).toEqual({
      [sid(1)]: { status: 'delivered', to: '+14155550101' },
      [sid(2)]: { status: 'received', to: '+15005550006' },
      [sid(3)]: { status: 'sent', to: null },
    });
    expect(report).toMatchObject({ records: 5, malformed: 1, flagged: 1, unattributable: 1 });
    expect(report.problems).toEqual([
      { key: expect.stringMatching(/^events\/2026\/11\/25\/10\/message-archive-events-1-2026-11-25-10-05-00-a\.gz$/), line: 3, reason: 'not JSON' },
    ]);
  });

  it('are read alike on two threads, and masked as they are read when redaction is on', async () => {
    expect(await scan(folder, 2)).toEqual(await scan(folder, 1));
    const masked = await scan(folder, 2, 4);
    expect(masked.states[sid(2)].to).toBe('+1500555****');
  });

  it('are read alike from S3 (s3rver)', async () => {
    let s3: S3rverHandle | undefined;
    try {
      s3 = await startS3rver(['kinesis-path']);
      for (const [key, body] of objects()) await s3.client.send(new PutObjectCommand({ Bucket: 'kinesis-path', Key: key, Body: body }));
      const store = new S3ArchiveStore(s3.client, 'kinesis-path', '');
      expect(await scan(store, 2)).toEqual(await scan(folder, 1));
    } finally {
      await s3?.stop();
    }
  }, 60_000);

  it('make history --engine athena refuse the window (its SQL searches record lines only), naming the object', async () => {
    await expect(refuseCloudEventObjects(folder, DEFAULT_ARCHIVE_LAYOUT, FROM, TO)).rejects.toThrow(
      /events\/2026\/11\/25\/10\/.*--engine athena does not read yet/,
    );
    await expect(
      refuseCloudEventObjects(folder, DEFAULT_ARCHIVE_LAYOUT, new Date('2026-11-26T00:00:00Z'), new Date('2026-11-26T01:00:00Z')),
    ).resolves.toBeUndefined();
  });
});
