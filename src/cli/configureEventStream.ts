/**
 * `twilio-message-archive configure-event-stream (--url <https://…> | --service <name> --environment <name> | --kinesis-arn … --role-arn … --external-id …)`
 * Creates (or finds) the Event Streams sink that archives messaging events,
 * and subscribes it to every messaging status and inbound event type.
 * Exit codes: 0 set, already set, or --dry-run; 1 declined or the change
 * failed; 2 bad arguments, or refused.
 */
import { CONFIGURE_HELP_FOOTER, defineCommand, UsageError } from './command';
import { confirmChange } from './io';
import { twilioClientFromEnv } from '../adapters/twilio/twilioClient';
import { RefusedError, resolveDeployedFunction } from '../configure/configureCallback';
import {
  applyEventStream,
  describeConfiguration,
  MESSAGING_EVENT_TYPES,
  planEventStream,
  SinkUrlMismatchError,
  sinkUrlProblem,
  SUBSCRIPTION_DESCRIPTION,
  urlsTheServiceChecks,
  urlTheFunctionChecks,
  type SinkSpec,
} from '../configure/configureEventStream';

const DEFAULT_PATH = '/event-stream';

const HELP = `Usage: twilio-message-archive configure-event-stream (--url <https://…> | --service <name> --environment <name> | --kinesis-arn <arn> --role-arn <arn> --external-id <id>) [options]

Creates the Event Streams sink the archive receives messaging events through,
or finds the one that already has this configuration, and subscribes it to
every messaging status type and to inbound messages. Shows what exists and
what it would create, and asks before changing anything. Reads a webhook
sink back before subscribing it, and refuses (exit 2, naming both URLs) when
Twilio holds another destination than the URL the Function checks
signatures against: every delivery would fail that check.

A webhook sink posts to the deployed /event-stream Function:
  --url <https://…>          The Function's URL. The command cannot check its visibility.
  --service <name>           Or: the Serverless service (unique name, friendly name or ZS…) ...
  --environment <name>       ... and environment (unique name, domain suffix or ZE…): the URL is
                             found through the API; the Function must be public (it checks
                             Event Streams' signatures itself). The sink posts to the URL the
                             Function checks against: the environment's ARCHIVE_EVENT_STREAM_URL
                             when set, else the Function's own.
  --function-path <path>     The Function's path in the service. Default: ${DEFAULT_PATH}.
  --batch-events             Ask Twilio to deliver events in batches (the Function takes both).

A Kinesis sink puts events into a Kinesis Data Stream (the infrastructure's
optional events stream):
  --kinesis-arn <arn>        The stream's ARN.
  --role-arn <arn>           The IAM role Twilio assumes to put records.
  --external-id <id>         The role's external id (a shared secret; never printed).

Options:
  --yes                      Change without asking.
  --dry-run                  Print the plan; change nothing.
  -h, --help                 This text.

${CONFIGURE_HELP_FOOTER}`;

const KINESIS_STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export const command = defineCommand({
  name: 'configure-event-stream',
  help: HELP,
  options: {
    url: { type: 'string' },
    service: { type: 'string' },
    environment: { type: 'string' },
    'function-path': { type: 'string' },
    'batch-events': { type: 'boolean' },
    'kinesis-arn': { type: 'string' },
    'role-arn': { type: 'string' },
    'external-id': { type: 'string' },
    yes: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  body: async (values, io) => {
    const kinesis = values['kinesis-arn'] !== undefined || values['role-arn'] !== undefined || values['external-id'] !== undefined;
    const webhook = values.url !== undefined || values.service !== undefined || values.environment !== undefined;
    if (kinesis === webhook)
      throw new UsageError('give the sink: --url, or --service and --environment (a webhook), or --kinesis-arn, --role-arn and --external-id');
    if (values.url && (values.service || values.environment)) throw new UsageError('give --url, or --service and --environment, not both');
    if (webhook && !values.url && !(values.service && values.environment)) throw new UsageError('give both --service and --environment');
    if (kinesis) {
      if (!values['kinesis-arn'] || !KINESIS_STREAM_ARN.test(values['kinesis-arn']))
        throw new UsageError(
          `--kinesis-arn must be a Kinesis Data Stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>), not "${values['kinesis-arn'] ?? ''}"`,
        );
      if (!values['role-arn'] || !ROLE_ARN.test(values['role-arn']))
        throw new UsageError(`--role-arn must be an IAM role ARN, not "${values['role-arn'] ?? ''}"`);
      if (!values['external-id']) throw new UsageError('--external-id is required with a Kinesis sink');
      if (values['batch-events']) throw new UsageError('--batch-events applies to a webhook sink only');
    }
    const path = values['function-path'] ?? DEFAULT_PATH;
    if (!path.startsWith('/')) throw new UsageError(`--function-path must start with /, not "${path}"`);
    const urlProblem = values.url === undefined ? null : sinkUrlProblem(values.url);
    if (urlProblem) throw new UsageError(`--url ${urlProblem}`);

    const { client } = twilioClientFromEnv(io.env);
    try {
      let spec: SinkSpec;
      let source = '';
      /** The URLs some environment's Function checks: known only when the service was given. */
      let verifiedSomewhere: Set<string> | undefined;
      if (kinesis) {
        spec = { type: 'kinesis', streamArn: values['kinesis-arn']!, roleArn: values['role-arn']!, externalId: values['external-id']! };
      } else if (values.url) {
        spec = { type: 'webhook', destination: values.url, batchEvents: values['batch-events'] ?? false };
        source = 'given URL; COULD NOT CHECK that the Function is the public /event-stream: give --service and --environment to check';
      } else {
        const target = await resolveDeployedFunction(client, values.service!, values.environment!, path, 'public');
        const checked = await urlTheFunctionChecks(client, target);
        verifiedSomewhere = await urlsTheServiceChecks(client, target.deployedIn!.serviceSid, path);
        spec = { type: 'webhook', destination: checked.url, batchEvents: values['batch-events'] ?? false };
        source = `${target.source}; public, as it must be (checked through the Serverless API); it checks signatures against ${checked.url}, ${checked.why}`;
      }
      const plan = await planEventStream(client, spec);

      io.out(`Event Streams sink (${spec.type}): ${describeConfiguration(plan.configuration)}`);
      if (source) io.out(`  Function: ${source}`);
      io.out(plan.sink ? `  sink: ${plan.sink.sid} exists (${plan.sink.status})` : '  sink: none with this configuration: one will be created');
      io.out(
        plan.subscription
          ? `  subscription: ${plan.subscription.sid} ("${SUBSCRIPTION_DESCRIPTION}")`
          : `  subscription: none on this sink: "${SUBSCRIPTION_DESCRIPTION}" will be created`,
      );
      const subscribed = MESSAGING_EVENT_TYPES.length - plan.missingTypes.length;
      io.out(
        `  event types: ${subscribed} of ${MESSAGING_EVENT_TYPES.length} subscribed${plan.missingTypes.length ? `; to add: ${plan.missingTypes.map((t) => `${t.type} (v${t.schemaVersion})`).join(', ')}` : ''}`,
      );
      for (const other of plan.otherSinks) {
        // Another environment's sink verifies at that environment's Function; one that posts to none of them verifies nowhere.
        const verifiesNowhere =
          verifiedSomewhere !== undefined &&
          other.type === 'webhook' &&
          ![...verifiedSomewhere].some((url) => other.configuration.includes(JSON.stringify(url)));
        io.out(
          verifiesNowhere
            ? `  WARNING: sink ${other.sid} ${other.configuration} is also named the archive's, but posts to no URL an environment of this service checks signatures against (${[...verifiedSomewhere!].join(', ')}): its deliveries are answered 503 and dropped by Twilio after 4 hours. It is left as it is: delete it, or correct its destination`
            : `  note: sink ${other.sid} (${other.type}) ${other.configuration} is also the archive's; it is left as it is (each sink receives every messaging event of the account)`,
        );
      }
      if (plan.sink && plan.subscription && plan.missingTypes.length === 0) {
        io.out('Already set: nothing to change.');
        return 0;
      }
      if (values['dry-run']) {
        io.out('Dry run: nothing changed.');
        return 0;
      }
      if (!values.yes && !(await confirmChange(io, 'Make these changes?'))) return 1;
      try {
        const { sinkSid, subscriptionSid } = await applyEventStream(client, spec, plan);
        io.out(`Set: sink ${sinkSid}, subscription ${subscriptionSid}, all ${MESSAGING_EVENT_TYPES.length} messaging event types.`);
        return 0;
      } catch (error) {
        if (error instanceof SinkUrlMismatchError) {
          io.err(`Refused: ${error.message}.`);
          return 2;
        }
        io.err(`The change failed: ${(error as Error).message}`);
        return 1;
      }
    } catch (error) {
      if (error instanceof RefusedError) {
        io.err(`Refused: ${error.message}. Nothing changed.`);
        return 2;
      }
      throw error;
    }
  },
});
