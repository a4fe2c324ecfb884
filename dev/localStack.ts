import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { buildS3Client } from '../src/adapters/aws/s3Client';
import { parseS3Uri, readArchiveLayout, readRedactDigits } from '../src/config/archiveSettings';
import { maskPhoneNumbersInText } from '../src/domain/redaction';
import { FolderDestination, S3Destination, type DeliveryDestination } from './firehose/destinations';
import { LocalFirehose } from './firehose/localFirehose';
import { SignatureGateway } from './signatureGateway';
import { freePort, startTwilioRun, type TwilioRunHandle } from './twilioRunProcess';

export interface LocalStackOptions {
  projectRoot: string;
  /** Settings as in `.env`: the Functions' environment plus the LOCAL_* settings of the stack. */
  settings: Record<string, string>;
  /** Overrides the destination the settings name. */
  destination?: DeliveryDestination;
  log?: (line: string) => void;
  /** Functions served warm, as deployed (TwilioRunOptions.warm): for load, not for editing. */
  warmFunctions?: boolean;
}

export interface LocalStack {
  /** Where Twilio (or `npm run send-samples`) posts: the signature-checking front door. */
  url: string;
  firehose: LocalFirehose;
  gateway: SignatureGateway;
  twilioRun: TwilioRunHandle;
  destination: DeliveryDestination;
  /** Stops taking callbacks, lets twilio-run finish, then delivers everything Firehose holds. */
  stop(): Promise<void>;
}

function positiveNumber(settings: Record<string, string>, name: string, fallback: number): number {
  const raw = settings[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, not "${raw}"`);
  return n;
}

/** LOCAL_ARCHIVE_S3_URI (+ LOCAL_S3_ENDPOINT) delivers into S3; otherwise LOCAL_ARCHIVE_DIR, a folder. */
export function destinationFromSettings(projectRoot: string, settings: Record<string, string>): DeliveryDestination {
  const s3Uri = settings.LOCAL_ARCHIVE_S3_URI?.trim();
  if (s3Uri) {
    const { bucket } = parseS3Uri(s3Uri, 'LOCAL_ARCHIVE_S3_URI');
    const endpoint = settings.LOCAL_S3_ENDPOINT?.trim();
    const s3 = buildS3Client({
      region: settings.ARCHIVE_AWS_REGION || 'us-east-1',
      credentials: { accessKeyId: settings.ARCHIVE_AWS_ACCESS_KEY_ID || 'S3RVER', secretAccessKey: settings.ARCHIVE_AWS_SECRET_ACCESS_KEY || 'S3RVER' },
      endpoint,
      maxAttempts: 3,
    });
    return new S3Destination(s3, bucket);
  }
  return new FolderDestination(resolve(projectRoot, settings.LOCAL_ARCHIVE_DIR?.trim() || 'local-archive'));
}

/** `/status-callback` for dist/deploy/functions/status-callback.protected.js, and so on. */
export function protectedFunctionPaths(functionsDir: string): Set<string> {
  const paths = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.protected.js')) {
        paths.add(
          `/${relative(functionsDir, path)
            .split(sep)
            .join('/')
            .replace(/\.protected\.js$/, '')}`,
        );
      }
    }
  };
  walk(functionsDir);
  return paths;
}

/**
 * The local stack: a Firehose-compatible endpoint delivering into a folder (or
 * S3), the built Functions under twilio-run, and in front of them a gateway
 * that checks X-Twilio-Signature as Twilio's does when deployed.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { projectRoot, settings } = options;
  const rawLog = options.log ?? (() => undefined);
  for (const name of ['ACCOUNT_SID', 'AUTH_TOKEN', 'ARCHIVE_FIREHOSE_STREAM']) {
    if (!settings[name]?.trim()) throw new Error(`${name} is not set; copy .env.example to .env and fill it in`);
  }
  // twilio-run logs each request's URL, tags and all: with redaction on, the stack's log masks numbers as the archive does.
  const redactDigits = readRedactDigits(settings);
  const log = (line: string) => rawLog(maskPhoneNumbersInText(line, redactDigits));
  const destination = options.destination ?? destinationFromSettings(projectRoot, settings);
  const firehose = new LocalFirehose({
    streamNames: [settings.ARCHIVE_FIREHOSE_STREAM.trim()],
    destination,
    // The stream's S3 prefix is the archive layout's, as the readers expect it.
    prefix: readArchiveLayout(settings).firehose,
    hints: {
      sizeBytes: positiveNumber(settings, 'LOCAL_FIREHOSE_BUFFER_MB', 1) * 1024 * 1024,
      intervalMs: positiveNumber(settings, 'LOCAL_FIREHOSE_BUFFER_SECONDS', 5) * 1000,
    },
    gzip: settings.LOCAL_FIREHOSE_GZIP === 'true',
    spillDir: join(projectRoot, '.local', 'undelivered'),
    port: positiveNumber(settings, 'LOCAL_FIREHOSE_PORT', 0),
    log: (line) => log(`[firehose] ${line}`),
  });
  const firehoseUrl = await firehose.start();

  let twilioRun: TwilioRunHandle | undefined;
  try {
    // The gateway's port is chosen first: the Event Streams Function checks signatures against the URL Twilio would post to, the gateway's.
    const gatewayPort = positiveNumber(settings, 'PORT', 3000) || (await freePort());
    twilioRun = await startTwilioRun({
      projectRoot,
      port: await freePort(),
      env: {
        ...withoutLocalSettings(settings),
        ARCHIVE_FIREHOSE_ENDPOINT: firehoseUrl,
        ARCHIVE_EVENT_STREAM_URL: settings.ARCHIVE_EVENT_STREAM_URL?.trim() || `http://localhost:${gatewayPort}/event-stream`,
        // Deployed Functions run node22; the SDK's notice about dropping Node 20 is only noise locally.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      onOutput: (line) => log(`[twilio-run] ${line}`),
      warm: options.warmFunctions,
    });
    const gateway = new SignatureGateway({
      authToken: settings.AUTH_TOKEN.trim(),
      upstream: { host: '127.0.0.1', port: twilioRun.port },
      protectedPaths: protectedFunctionPaths(join(projectRoot, 'dist', 'deploy', 'functions')),
      port: gatewayPort,
      log: (line) => log(`[gateway] ${line}`),
    });
    const url = await gateway.start();
    const started = twilioRun;
    return {
      url,
      firehose,
      gateway,
      twilioRun: started,
      destination,
      async stop() {
        await gateway.stop();
        await started.stop();
        await firehose.stop();
      },
    };
  } catch (error) {
    await twilioRun?.stop();
    await firehose.stop();
    throw error;
  }
}

/** The stack's own settings are not the Functions' business. */
function withoutLocalSettings(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).filter(([name]) => !name.startsWith('LOCAL_') && name !== 'PORT'));
}
