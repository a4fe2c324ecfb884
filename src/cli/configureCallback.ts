/**
 * `twilio-message-archive configure-callback --messaging-service MG… (--url <https://…> | --service <name> --environment <name>)`
 * Sets the deployed status-callback Function, with connection overrides, as a
 * Messaging Service's status callback.
 * Exit codes: 0 set, already set, or --dry-run; 1 declined or the update
 * failed; 2 bad arguments, or refused (not https, a conflicting fragment, a
 * Function that is not protected).
 */
import { CONFIGURE_HELP_FOOTER, defineCommand, UsageError } from './command';
import { confirmChange } from './io';
import { twilioClientFromEnv } from '../adapters/twilio/twilioClient';
import {
  applyCallbackChange,
  DEFAULT_FUNCTION_PATH,
  planCallbackChange,
  RefusedError,
  resolveDeployedFunction,
  type ResolvedFunction,
} from '../configure/configureCallback';
import { InvalidInputError } from '../domain/errors';
import { DEFAULT_CONNECTION_OVERRIDES, formatConnectionOverrides, parseConnectionOverrides } from '../domain/statusCallbackUrl';

const HELP = `Usage: twilio-message-archive configure-callback --messaging-service MG… (--url <https://…> | --service <name> --environment <name>) [options]

Sets the deployed status-callback Function as the Messaging Service's status
callback, with Twilio's connection overrides in the URL's fragment. Shows the
current and the new value, and asks before changing anything.

Options:
  --messaging-service <MG…>  The Messaging Service to configure (required).
  --url <https://…>          The Function's URL. The command cannot check that it is protected.
  --service <name>           Or: the Serverless service (unique name, friendly name or ZS…) ...
  --environment <name>       ... and environment (unique name, domain suffix or ZE…): the URL is
                             found through the API, and a Function that is not protected is refused.
  --function-path <path>     The Function's path in the service. Default: ${DEFAULT_FUNCTION_PATH}.
  --overrides <fragment>     Connection overrides, e.g. "rc=5&rp=all&tt=15000" (the default);
                             "" for none. Keys: ct, rt, tt, rc, rp.
  --yes                      Change without asking.
  --dry-run                  Print the change; change nothing.
  -h, --help                 This text.

${CONFIGURE_HELP_FOOTER}`;

export const command = defineCommand({
  name: 'configure-callback',
  help: HELP,
  options: {
    'messaging-service': { type: 'string' },
    url: { type: 'string' },
    service: { type: 'string' },
    environment: { type: 'string' },
    'function-path': { type: 'string' },
    overrides: { type: 'string' },
    yes: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  body: async (values, io) => {
    const messagingService = values['messaging-service'];
    if (!messagingService) throw new UsageError('--messaging-service is required (MG…)');
    if (!/^MG[0-9a-f]{32}$/.test(messagingService))
      throw new UsageError(`--messaging-service must be a Messaging Service SID (MG and 32 hex digits), not "${messagingService}"`);
    if (values.url && (values.service || values.environment)) throw new UsageError('give --url, or --service and --environment, not both');
    if (!values.url && !(values.service && values.environment)) throw new UsageError('give the Function: --url, or --service and --environment');
    const path = values['function-path'] ?? DEFAULT_FUNCTION_PATH;
    if (!path.startsWith('/')) throw new UsageError(`--function-path must start with /, not "${path}"`);
    let overrides = { ...DEFAULT_CONNECTION_OVERRIDES };
    try {
      if (values.overrides !== undefined) overrides = parseConnectionOverrides(values.overrides);
    } catch (error) {
      throw new UsageError(`--overrides: ${(error as Error).message}`, { cause: error });
    }

    const { client } = twilioClientFromEnv(io.env);
    try {
      let target: ResolvedFunction;
      if (values.url) {
        target = { url: values.url, visibility: null, source: 'given URL' };
      } else {
        target = await resolveDeployedFunction(client, values.service!, values.environment!, path);
      }
      const change = await planCallbackChange(client, messagingService, target.url, overrides);

      io.out(`Messaging Service ${change.messagingServiceSid} (${change.friendlyName})`);
      io.out(`  current status callback: ${change.current ?? '(none)'}`);
      io.out(`  new status callback:     ${change.next}`);
      io.out(
        `  Function: ${target.source}; ${target.visibility === 'protected' ? 'protected (checked through the Serverless API)' : 'COULD NOT CHECK that it is protected: give --service and --environment to check'}`,
      );
      if (Object.keys(overrides).length > 0) io.out(`  connection overrides: #${formatConnectionOverrides(overrides)}`);
      if (change.current === change.next) {
        io.out('Already set: nothing to change.');
        return 0;
      }
      if (values['dry-run']) {
        io.out('Dry run: nothing changed.');
        return 0;
      }
      if (!values.yes && !(await confirmChange(io, 'Change it?'))) return 1;
      try {
        await applyCallbackChange(client, change);
      } catch (error) {
        io.err(`The update failed: ${(error as Error).message}`);
        return 1;
      }
      io.out('Set: Twilio now holds the new status callback.');
      return 0;
    } catch (error) {
      if (error instanceof RefusedError || error instanceof InvalidInputError) {
        io.err(`Refused: ${error.message}. Nothing changed.`);
        return 2;
      }
      throw error;
    }
  },
});
