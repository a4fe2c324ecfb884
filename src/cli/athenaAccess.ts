import type { SqlWarehouse } from '../domain/reconcile/sql/warehouse';
import { buildS3Client } from '../adapters/aws/s3Client';
import { ConfigError, readAthenaSettings, readCommandAwsAccess } from '../config/archiveSettings';
import type { WarehouseSummary } from '../warehouse/warehouseRead';
import { UsageError } from './command';

/**
 * `--engine athena`: the archive's workgroup and database from the
 * environment (ARCHIVE_ATHENA_*), and the cost guard checked before any
 * query runs. The Athena client is loaded only here.
 */
export async function openAthenaWarehouse(env: NodeJS.ProcessEnv, acceptCost: boolean): Promise<SqlWarehouse> {
  let settings;
  try {
    settings = readAthenaSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  const { AthenaWarehouse, buildAthenaClient } = await import('../adapters/athena/athenaWarehouse');
  const aws = readCommandAwsAccess(env);
  const athena = buildAthenaClient({ ...aws, endpoint: settings.endpoint, maxAttempts: 3 });
  const s3 = buildS3Client({ ...aws, endpoint: aws.s3Endpoint, maxAttempts: 3 });
  return AthenaWarehouse.open(athena, s3, settings, acceptCost);
}

/** `--engine` of a command that runs locally or on Athena, and `--i-accept-cost` with it. */
export function engineOption(values: { engine?: string; 'i-accept-cost'?: boolean; archive?: string }, engines: readonly string[]): string {
  const engine = values.engine ?? 'local';
  if (!engines.includes(engine)) throw new UsageError(`--engine must be ${engines.slice(0, -1).join(', ')} or ${engines[engines.length - 1]}`);
  if (values['i-accept-cost'] && engine !== 'athena') throw new UsageError('--i-accept-cost is for --engine athena only');
  if (engine === 'athena' && !/^s3:\/\//i.test(values.archive ?? ''))
    throw new UsageError('--engine athena reads the archive where it lies: --archive must be its s3:// root, as the archive table is');
  return engine;
}

/** What the Athena queries scanned and cost, on the terminal. */
export function printWarehouse(summary: { warehouse?: WarehouseSummary }, out: (line: string) => void): void {
  if (!summary.warehouse) return;
  const gib = summary.warehouse.bytes_scanned / 1024 ** 3;
  out(
    `${summary.warehouse.engine}: ${summary.warehouse.queries.length} queries scanned ${gib.toFixed(3)} GiB, about $${summary.warehouse.cost_usd.toFixed(4)}.`,
  );
}
