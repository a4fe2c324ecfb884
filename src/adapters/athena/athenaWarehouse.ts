import { AthenaClient } from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AthenaSettings } from '../../config/archiveSettings';
import { bindParameters, TRINO } from '../../domain/reconcile/sql/dialect';
import type { SqlWarehouse, TwilioListStage, WarehouseResult } from '../../domain/reconcile/sql/warehouse';
import { clientConfig, type AwsClientSettings } from '../aws/clientConfig';
import { runAthenaQuery, scanLimitOf } from './athenaQuery';
import { S3TwilioListStage } from './twilioListStage';

/** The one way an Athena client is built (loaded only for --engine athena). */
export function buildAthenaClient(settings: AwsClientSettings): AthenaClient {
  return new AthenaClient(clientConfig(settings));
}

/**
 * The archive's Athena database and workgroup (the infrastructure's) as the
 * warehouse the Athena engine runs on: statements bound as Athena's execution
 * parameters, Twilio's list staged in S3 for the `twilio_lists` table.
 */
export class AthenaWarehouse implements SqlWarehouse {
  readonly dialect = TRINO;

  private constructor(
    private readonly athena: AthenaClient,
    private readonly s3: S3Client,
    private readonly settings: AthenaSettings,
    private readonly scanLimit: number | null,
  ) {}

  /** Refuses (AthenaCostGuardError) a workgroup with no per-query scan limit unless the cost is accepted. */
  static async open(athena: AthenaClient, s3: S3Client, settings: AthenaSettings, acceptCost: boolean): Promise<AthenaWarehouse> {
    return new AthenaWarehouse(athena, s3, settings, await scanLimitOf(athena, settings.workGroup, acceptCost));
  }

  get description(): string {
    const limit = this.scanLimit === null ? 'no scan limit (cost accepted)' : `scan limit ${(this.scanLimit / 1024 ** 3).toFixed(0)} GiB a query`;
    return `athena workgroup ${this.settings.workGroup}, database ${this.settings.database} (${limit})`;
  }

  async query(sql: string, parameters: Record<string, string | number>, signal?: AbortSignal): Promise<WarehouseResult> {
    const { text, order } = bindParameters(TRINO, sql);
    const values = order.map((name) => {
      const value = parameters[name];
      if (value === undefined) throw new Error(`the statement takes :${name}, which was not given`);
      return value;
    });
    const result = await runAthenaQuery({
      client: this.athena,
      workGroup: this.settings.workGroup,
      database: this.settings.database,
      sql: text,
      parameters: values,
      signal,
    });
    return {
      stats: { queryId: result.stats.queryExecutionId, bytesScanned: result.stats.bytesScanned, costUsd: result.stats.costUsd },
      rows: () => result.rows(),
    };
  }

  stageTwilioList(): TwilioListStage {
    return new S3TwilioListStage(this.s3, this.settings.lists);
  }
}
