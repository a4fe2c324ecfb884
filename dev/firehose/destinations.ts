import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where the local Firehose delivers its objects. */
export interface DeliveryDestination {
  /** A human description: a folder path or an s3:// URI. */
  readonly description: string;
  put(key: string, body: Buffer): Promise<void>;
}

/** A local folder with the same layout as the bucket. Objects appear whole (write, then rename). */
export class FolderDestination implements DeliveryDestination {
  constructor(readonly root: string) {}

  get description(): string {
    return this.root;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    await writeFile(partial, body);
    await rename(partial, path);
  }
}

/** An S3 bucket (s3rver in tests, or a real one). `prefix` is part of each key already. */
export class S3Destination implements DeliveryDestination {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  get description(): string {
    return `s3://${this.bucket}/`;
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
  }
}
