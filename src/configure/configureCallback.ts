import type { Twilio } from 'twilio';
import { buildStatusCallbackUrl, type ConnectionOverrides } from '../domain/statusCallbackUrl';

/** The command cannot do what it was asked, and says why: exit 2, nothing changed. */
/** The update went through, but reading it back shows another value. */
export class CallbackNotSetError extends Error {
  override name = 'CallbackNotSetError';
}

export class RefusedError extends Error {
  override name = 'RefusedError';
}

/** Where the Function URL came from, and whether its visibility could be checked. */
export interface ResolvedFunction {
  url: string;
  /** Null when only a URL was given: the command could not check. */
  visibility: 'protected' | 'public' | null;
  /** How it was found, for the user: service, environment, build. */
  source: string;
  /** The service and environment it was found in; absent when only a URL was given. */
  deployedIn?: { serviceSid: string; environmentSid: string };
}

export const DEFAULT_FUNCTION_PATH = '/status-callback';

interface FunctionVersion {
  path?: string;
  visibility?: string;
}

/**
 * Finds the deployed Function through the Serverless API: the service (by SID,
 * unique name or friendly name), the environment (by SID, unique name or
 * domain suffix), the build deployed there, and the Function at `path` in it.
 * Refuses a Function whose visibility is not `expected`: the status callback
 * must be protected (only then does Twilio's gateway check each callback's
 * signature before it runs); the Event Streams sink is public and checks
 * signatures itself (docs/event-streams.md).
 */
export async function resolveDeployedFunction(
  client: Twilio,
  serviceName: string,
  environmentName: string,
  path = DEFAULT_FUNCTION_PATH,
  expected: 'protected' | 'public' = 'protected',
): Promise<ResolvedFunction> {
  const services = await client.serverless.v1.services.list();
  const service = services.find((s) => s.sid === serviceName || s.uniqueName === serviceName || s.friendlyName === serviceName);
  if (!service)
    throw new RefusedError(`no Serverless service "${serviceName}" in this account (found: ${services.map((s) => s.uniqueName).join(', ') || 'none'})`);
  const environments = await client.serverless.v1.services(service.sid).environments.list();
  const environment = environments.find((e) => e.sid === environmentName || e.uniqueName === environmentName || e.domainSuffix === environmentName);
  if (!environment) {
    throw new RefusedError(
      `service ${service.uniqueName} has no environment "${environmentName}" (found: ${environments.map((e) => e.uniqueName).join(', ') || 'none'})`,
    );
  }
  if (!environment.buildSid) throw new RefusedError(`environment ${environment.uniqueName} of ${service.uniqueName} has nothing deployed`);
  const build = await client.serverless.v1.services(service.sid).builds(environment.buildSid).fetch();
  const versions = (build.functionVersions ?? []) as FunctionVersion[];
  const version = versions.find((v) => v.path === path);
  const where = `service ${service.uniqueName}, environment ${environment.uniqueName}, build ${build.sid}`;
  if (!version) throw new RefusedError(`no Function at ${path} in ${where} (found: ${versions.map((v) => v.path).join(', ') || 'none'})`);
  if (version.visibility !== expected) {
    const why =
      expected === 'protected'
        ? version.visibility === 'public'
          ? 'Twilio would not check the signature of the callbacks it receives'
          : 'Twilio could not call it'
        : 'Event Streams signs a JSON body in a way the gateway is not documented to check, and a refusal there would drop the events';
    throw new RefusedError(
      `the Function at ${path} in ${where} is ${version.visibility}, not ${expected}: ${why}. Deploy it as ${path.replace(/^\//, '')}${expected === 'protected' ? '.protected' : ''}`,
    );
  }
  return {
    url: `https://${environment.domainName}${path}`,
    visibility: expected,
    source: where,
    deployedIn: { serviceSid: service.sid, environmentSid: environment.sid },
  };
}

export interface CallbackChange {
  messagingServiceSid: string;
  friendlyName: string;
  current: string | null;
  next: string;
}

/** The change to make: the Messaging Service's status callback now, and the URL with the overrides in its fragment. */
export async function planCallbackChange(
  client: Twilio,
  messagingServiceSid: string,
  functionUrl: string,
  overrides: ConnectionOverrides,
): Promise<CallbackChange> {
  const next = buildStatusCallbackUrl({ functionUrl, overrides });
  const service = await client.messaging.v1.services(messagingServiceSid).fetch();
  return { messagingServiceSid, friendlyName: service.friendlyName, current: service.statusCallback ?? null, next };
}

/** Sets the status callback and reads it back: resolves only when Twilio holds the new value. */
export async function applyCallbackChange(client: Twilio, change: CallbackChange): Promise<void> {
  await client.messaging.v1.services(change.messagingServiceSid).update({ statusCallback: change.next });
  const after = await client.messaging.v1.services(change.messagingServiceSid).fetch();
  if (after.statusCallback !== change.next)
    throw new CallbackNotSetError(`Twilio holds ${after.statusCallback ?? 'no status callback'} after the update, not the new value`);
}
