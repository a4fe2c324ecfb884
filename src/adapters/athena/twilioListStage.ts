import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../../config/archiveSettings';
import { twilioRowColumns } from '../../domain/reconcile/sql/categories';
import type { TwilioListStage } from '../../domain/reconcile/sql/warehouse';
import type { TwilioMessageRow } from '../../domain/reconcile/twilioRow';

/** Rows per object: about 20 MB of JSON lines, 3 MB gzipped. */
const ROWS_PER_PART = 100_000;

/** One row as the `twilio_lists` table reads it (infra/constructs/archiveTables.ts: Hive JSON SerDe, these names). */
function lineOf(row: TwilioMessageRow): string {
  return `${JSON.stringify(twilioRowColumns(row))}\n`;
}

/**
 * Twilio's list (masked as the archive is) staged under
 * `<prefix><run>/part-NNNNN.ndjson.gz`, the `twilio_lists` table's location
 * for one run: gzipped parts uploaded while the list is still being read, so
 * memory holds a part or two, not the list. A run id is new each time: no
 * run reads another's list, and an abandoned one is never read (the bucket's
 * lifecycle removes it).
 */
export class S3TwilioListStage implements TwilioListStage {
  private lines: string[] = [];
  private parts = 0;
  private readonly uploads: Promise<void>[] = [];
  private failure: unknown;

  constructor(
    private readonly s3: S3Client,
    private readonly location: S3Location,
    readonly run: string = randomUUID(),
    private readonly rowsPerPart = ROWS_PER_PART,
  ) {}

  add(row: TwilioMessageRow): void {
    this.lines.push(lineOf(row));
    if (this.lines.length >= this.rowsPerPart) this.flush();
  }

  async close(): Promise<string> {
    this.flush();
    await Promise.all(this.uploads);
    if (this.failure !== undefined) {
      throw new Error(`could not stage Twilio's list in s3://${this.location.bucket}/${this.location.prefix}${this.run}/: ${(this.failure as Error).message}`, {
        cause: this.failure,
      });
    }
    return this.run;
  }

  async abandon(): Promise<void> {
    this.lines = [];
    await Promise.all(this.uploads);
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const body = gzipSync(this.lines.join(''));
    this.lines = [];
    const key = `${this.location.prefix}${this.run}/part-${String(++this.parts).padStart(5, '0')}.ndjson.gz`;
    // Caught at once (not only at close) so that a failed upload is never an unhandled rejection.
    this.uploads.push(
      this.s3.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' })).then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= error;
        },
      ),
    );
  }
}
