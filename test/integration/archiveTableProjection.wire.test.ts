/**
 * The Glue table's partition projection and the archive's key layout, checked
 * against each other: keys written by the project's own layout code and by
 * the local Firehose (over its real HTTP API) resolve through the synthesised
 * table's `storage.location.template` to the hour they belong to, as Athena
 * would read them.
 */
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FolderDestination } from '../../dev/firehose/destinations';
import { LocalFirehose } from '../../dev/firehose/localFirehose';
import { directObjectKey, fallbackObjectKey, firehoseObjectKey } from '../../src/domain/archiveLayout';
import { resourcesOf, synthesize } from '../helpers/synthesizeInfra';

const BUCKET = 'archive-bucket';

interface Projection {
  template: string;
  prefixes: string[];
  format: string;
  firstHour: string;
}

/** The records table's projection, with the bucket's Ref replaced by a name. */
function projectionOf(context: Record<string, unknown> = {}): Projection {
  const template = synthesize(context).archiveTemplate;
  const table = Object.values(resourcesOf(template, 'AWS::Glue::Table')).find((t) => (t.Properties.TableInput as { Name: string }).Name === 'records')!;
  const parameters = (table.Properties.TableInput as { Parameters: Record<string, unknown> }).Parameters;
  const [, parts] = (parameters['storage.location.template'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  expect(String(parameters['projection.datehour.interval.unit'])).toBe('HOURS');
  return {
    template: parts.map((part) => (typeof part === 'string' ? part : BUCKET)).join(''),
    prefixes: String(parameters['projection.prefix.values']).split(','),
    format: String(parameters['projection.datehour.format']),
    firstHour: String(parameters['projection.datehour.range']).split(',')[0],
  };
}

/** The projected partition an object key falls in, as Athena resolves it; undefined when no partition's location holds it. */
function partitionOf(projection: Projection, key: string): { prefix: string; datehour: string } | undefined {
  // yyyy/MM/dd/HH as a pattern: each letter run a run of digits.
  const datePattern = projection.format.replace(/y+|M+|d+|H+/g, (run) => `\\d{${run.length}}`);
  for (const prefix of projection.prefixes) {
    const location = projection.template.replace('${prefix}', prefix);
    const [before, after] = location.split('${datehour}');
    const match = new RegExp(`^${escape(before)}(${datePattern})${escape(after)}[^/]+$`).exec(`s3://${BUCKET}/${key}`);
    if (match && match[1] >= projection.firstHour) return { prefix, datehour: match[1] };
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

const at = new Date('2026-11-27T21:05:33.123Z');

describe("the Athena table's projection and the archive's layout", () => {
  const projection = projectionOf();

  it('resolve the keys of every writer to the hour folder they were written in', () => {
    const keys = {
      firehose: firehoseObjectKey({ prefix: 'firehose/', streamName: 'message-archive', streamVersion: 1, oldestArrival: at, uuid: 'u-1', gzip: true }),
      fallback: fallbackObjectKey('fallback/', 'message-archive', at, 'u-2'),
      direct: directObjectKey('direct/', 'reconcile', at, 'u-3'),
    };
    for (const [prefix, key] of Object.entries(keys)) expect(partitionOf(projection, key)).toEqual({ prefix, datehour: '2026/11/27/21' });
  });

  it('do not read what is not records: Firehose error output, objects at the root, hours before the projection starts', () => {
    expect(partitionOf(projection, 'firehose-errors/processing-failed/2026/11/27/21/x')).toBeUndefined();
    expect(partitionOf(projection, 'stray-object')).toBeUndefined();
    expect(partitionOf(projection, 'firehose/2025/12/31/23/message-archive-1-2025-12-31-23-59-59-u')).toBeUndefined();
    expect(partitionOf(projection, 'firehose/2026/11/27/21/nested/too-deep')).toBeUndefined();
  });

  it('follow a layout changed in the settings', () => {
    const custom = projectionOf({ firehosePrefix: 'stream/', fallbackPrefix: 'spill/', directPrefix: 'appended/', archiveStartDay: '2020-03-01' });
    expect(partitionOf(custom, firehoseObjectKey({ prefix: 'stream/', streamName: 's', streamVersion: 3, oldestArrival: at, uuid: 'u', gzip: false }))).toEqual(
      {
        prefix: 'stream',
        datehour: '2026/11/27/21',
      },
    );
    expect(partitionOf(custom, directObjectKey('appended/', 'poll-stale', new Date('2020-03-01T00:00:00Z'), 'u'))).toEqual({
      prefix: 'appended',
      datehour: '2020/03/01/00',
    });
    expect(partitionOf(custom, fallbackObjectKey('fallback/', 's', at, 'u'))).toBeUndefined();
  });

  describe('with the local Firehose delivering over its HTTP API', () => {
    let dir: string;
    let firehose: LocalFirehose;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'projection-'));
    });
    afterAll(async () => {
      await firehose?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every object it delivers, gzip or not, is in the partition of its arrival hour', async () => {
      const delivered: string[] = [];
      for (const gzip of [false, true]) {
        const root = join(dir, gzip ? 'gzip' : 'plain');
        firehose = new LocalFirehose({ streamNames: ['message-archive'], destination: new FolderDestination(root), gzip, hints: { intervalMs: 60_000 } });
        const endpoint = await firehose.start();
        const client = new FirehoseClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'LOCAL', secretAccessKey: 'LOCAL' } });
        const before = new Date();
        await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: 'message-archive',
            Records: [{ Data: Buffer.from('{"v":1}\n') }, { Data: Buffer.from('{"v":1}\n') }],
          }),
        );
        await firehose.stop();
        const after = new Date();
        client.destroy();
        for (const key of filesUnder(root)) {
          const partition = partitionOf(projection, key);
          const hours = [before, after].map((time) => time.toISOString().slice(0, 13).replace(/[-T]/g, '/'));
          expect({ key, prefix: partition?.prefix }).toEqual({ key, prefix: 'firehose' });
          expect(hours).toContain(partition!.datehour);
          delivered.push(key);
        }
      }
      expect(delivered).toHaveLength(2);
      expect(delivered.filter((key) => key.endsWith('.gz'))).toHaveLength(1);
    });
  });
});
