import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { buildS3Client } from '../../src/adapters/aws/s3Client';
import { freePort } from '../../dev/twilioRunProcess';

/** s3rver's own credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3rverHandle {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

/** Starts s3rver as its own process, with the given buckets, in a fresh temporary folder. */
export async function startS3rver(buckets: string[]): Promise<S3rverHandle> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const port = await freePort();
  const bin = join(__dirname, '..', '..', 'node_modules', 's3rver', 'bin', 's3rver.js');
  const args = [bin, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent', '--allow-mismatched-signatures'];
  for (const bucket of buckets) args.push('--configure-bucket', bucket);
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    // List paging in s3rver needs the legacy OpenSSL provider on Node ≥ 17.
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(500) });
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('s3rver did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const client = buildS3Client({ region: 'us-east-1', endpoint, credentials: S3RVER_CREDENTIALS, maxAttempts: 3 });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface StoredObject {
  key: string;
  body: Buffer;
  /** The body, gunzipped when it starts with gzip's magic bytes. */
  text: string;
}

/** Every object under `prefix`, following list pages. */
export async function readObjects(client: S3Client, bucket: string, prefix = ''): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: item.Key! }));
      const body = Buffer.from(await got.Body!.transformToByteArray());
      const raw = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
      objects.push({ key: item.Key!, body, text: raw.toString('utf8') });
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** The archive records (parsed lines) under `prefix`. */
export async function readRecords(client: S3Client, bucket: string, prefix = ''): Promise<Record<string, unknown>[]> {
  const objects = await readObjects(client, bucket, prefix);
  return objects.flatMap((o) =>
    o.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}
