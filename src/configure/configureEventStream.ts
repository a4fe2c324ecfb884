import type { Twilio } from 'twilio';
import { INBOUND_EVENT } from '../domain/eventStreamRecord';
import { RefusedError, type ResolvedFunction } from './configureCallback';

/** The setting the deployed Function checks Event Streams' signatures against, when set (docs/event-streams.md). */
const SINK_URL_VARIABLE = 'ARCHIVE_EVENT_STREAM_URL';

/**
 * The URL the deployed /event-stream Function checks signatures against, and
 * so the one the sink's destination must be, character for character: its
 * environment's ARCHIVE_EVENT_STREAM_URL when set, else its own URL.
 */
export async function urlTheFunctionChecks(client: Twilio, target: ResolvedFunction): Promise<{ url: string; why: string }> {
  if (!target.deployedIn) return { url: target.url, why: 'the given URL' };
  const { serviceSid, environmentSid } = target.deployedIn;
  const variables = await client.serverless.v1.services(serviceSid).environments(environmentSid).variables.list();
  const configured = variables.find((v) => v.key === SINK_URL_VARIABLE)?.value;
  if (configured) {
    const problem = sinkUrlProblem(configured);
    if (problem)
      throw new RefusedError(`the environment's ${SINK_URL_VARIABLE} ${problem}; the Function refuses it too (it answers 500): correct it and deploy`);
    return { url: configured, why: `the environment's ${SINK_URL_VARIABLE}` };
  }
  return { url: target.url, why: `the Function's own URL (its environment sets no ${SINK_URL_VARIABLE})` };
}

/**
 * What is wrong with a sink URL, or null: Twilio posts events there and signs
 * it with `?bodySHA256=…` appended, so it must be https with no query,
 * fragment or user info (the Function's settings refuse the same).
 */
export function sinkUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be a URL, not "${url}"`;
  }
  if (parsed.protocol !== 'https:') return `must be https: Twilio posts the events there, not "${url}"`;
  if (parsed.search || parsed.hash || parsed.username || parsed.password)
    return 'must have no query, fragment or user info: Twilio appends its own query (bodySHA256) and signs the result';
  return null;
}

/**
 * The URLs the service's /event-stream Functions check signatures against,
 * one for each environment that has one deployed: a sink of the archive's
 * posting to any of them is some environment's, and verifies there.
 */
export async function urlsTheServiceChecks(client: Twilio, serviceSid: string, path: string): Promise<Set<string>> {
  const urls = new Set<string>();
  for (const environment of await client.serverless.v1.services(serviceSid).environments.list()) {
    if (!environment.buildSid) continue;
    const build = await client.serverless.v1.services(serviceSid).builds(environment.buildSid).fetch();
    if (!((build.functionVersions ?? []) as { path?: string }[]).some((v) => v.path === path)) continue;
    const variables = await client.serverless.v1.services(serviceSid).environments(environment.sid).variables.list();
    urls.add(variables.find((v) => v.key === SINK_URL_VARIABLE)?.value || `https://${environment.domainName}${path}`);
  }
  return urls;
}

/** The sink Twilio holds has another destination than the URL the Function checks: every delivery would fail its signature check. */
export class SinkUrlMismatchError extends Error {
  override name = 'SinkUrlMismatchError';
}

/**
 * The messaging event types the archive subscribes to, each at the schema
 * version whose fields the mapping (src/domain/eventStreamRecord.ts) was
 * written against: `Messaging.MessageStatus` 8 and
 * `Messaging.InboundMessageV1` 6, as Twilio's event-type pages show them.
 */
export const MESSAGING_EVENT_TYPES: readonly { type: string; schemaVersion: number }[] = [
  ...['queued', 'sent', 'delivered', 'failed', 'undelivered', 'read'].map((status) => ({ type: `com.twilio.messaging.message.${status}`, schemaVersion: 8 })),
  { type: INBOUND_EVENT, schemaVersion: 6 },
];

/** How the archive's sink and subscription are named: no PII, as Twilio asks of descriptions. */
export const SINK_DESCRIPTION = 'twilio-message-archive';
export const SUBSCRIPTION_DESCRIPTION = 'twilio-message-archive: messaging status and inbound events';

export type SinkSpec =
  { type: 'webhook'; destination: string; batchEvents: boolean } | { type: 'kinesis'; streamArn: string; roleArn: string; externalId: string };

/** The sink's configuration as the Events API takes it. */
export function sinkConfiguration(spec: SinkSpec): Record<string, unknown> {
  return spec.type === 'webhook'
    ? { destination: spec.destination, method: 'POST', batch_events: spec.batchEvents }
    : { arn: spec.streamArn, role_arn: spec.roleArn, external_id: spec.externalId };
}

/** A configuration fit to print: the Kinesis external id is a shared secret. */
export function describeConfiguration(configuration: Record<string, unknown>): string {
  const shown = { ...configuration };
  if ('external_id' in shown) shown.external_id = '(hidden)';
  return JSON.stringify(shown);
}

function sameSink(spec: SinkSpec, type: string, configuration: unknown): boolean {
  if (type !== spec.type || typeof configuration !== 'object' || configuration === null) return false;
  const held = configuration as Record<string, unknown>;
  if (spec.type === 'webhook') {
    const method = typeof held.method === 'string' ? held.method.toUpperCase() : 'POST';
    return held.destination === spec.destination && method === 'POST' && (held.batch_events === true) === spec.batchEvents;
  }
  // Twilio may not echo the external id back: the stream and the role identify the sink.
  return held.arn === spec.streamArn && held.role_arn === spec.roleArn;
}

export interface EventStreamPlan {
  /** The sink that already has this configuration, or null: one is created. */
  sink: { sid: string; status: string } | null;
  configuration: Record<string, unknown>;
  /** The archive's subscription on that sink, or null: one is created. */
  subscription: { sid: string } | null;
  /** Event types to subscribe to (all of them for a new subscription). */
  missingTypes: { type: string; schemaVersion: number }[];
  /** Other sinks named as the archive's, left as they are (they keep receiving what they are subscribed to). */
  otherSinks: { sid: string; type: string; configuration: string }[];
}

/** What is there, and what is missing. Changes nothing. */
export async function planEventStream(client: Twilio, spec: SinkSpec): Promise<EventStreamPlan> {
  const configuration = sinkConfiguration(spec);
  const sinks = await client.events.v1.sinks.list();
  const matching = sinks.find((s) => sameSink(spec, s.sinkType, s.sinkConfiguration));
  const otherSinks = sinks
    .filter((s) => s !== matching && s.description === SINK_DESCRIPTION)
    .map((s) => ({ sid: s.sid, type: s.sinkType, configuration: describeConfiguration((s.sinkConfiguration ?? {}) as Record<string, unknown>) }));
  if (!matching) return { sink: null, configuration, subscription: null, missingTypes: [...MESSAGING_EVENT_TYPES], otherSinks };
  if (matching.status === 'failed') throw new RefusedError(`sink ${matching.sid} has this configuration but its status is failed: delete it, then run again`);

  const subscriptions = await client.events.v1.subscriptions.list({ sinkSid: matching.sid });
  const ours = subscriptions.find((s) => s.description === SUBSCRIPTION_DESCRIPTION);
  if (!ours)
    return { sink: { sid: matching.sid, status: matching.status }, configuration, subscription: null, missingTypes: [...MESSAGING_EVENT_TYPES], otherSinks };
  const subscribed = await client.events.v1.subscriptions(ours.sid).subscribedEvents.list();
  const held = new Map(subscribed.map((t) => [t.type, t.schemaVersion]));
  const missingTypes = MESSAGING_EVENT_TYPES.filter((t) => held.get(t.type) !== t.schemaVersion);
  return { sink: { sid: matching.sid, status: matching.status }, configuration, subscription: { sid: ours.sid }, missingTypes, otherSinks };
}

/**
 * Reads the sink back and throws SinkUrlMismatchError unless Twilio holds
 * exactly the destination the Function checks signatures against.
 */
export async function checkSinkDestination(client: Twilio, spec: SinkSpec, sinkSid: string, createdNow: boolean): Promise<void> {
  if (spec.type !== 'webhook') return;
  const held = ((await client.events.v1.sinks(sinkSid).fetch()).sinkConfiguration ?? {}) as Record<string, unknown>;
  if (held.destination === spec.destination) return;
  // A sink this run made, and nothing subscribed to it: removed again, so that a second run does not leave a second one.
  const removed =
    createdNow &&
    (await client.events.v1
      .sinks(sinkSid)
      .remove()
      .catch(() => false));
  throw new SinkUrlMismatchError(
    `sink ${sinkSid} posts to ${JSON.stringify(held.destination ?? null)}, but the Function checks signatures against ${JSON.stringify(spec.destination)}: ` +
      'every delivery would be answered 503 and dropped by Twilio after 4 hours. ' +
      (removed ? 'The sink this run created is removed again' : 'Nothing was subscribed to it by this run; delete it, or make the two URLs agree'),
  );
}

export class EventStreamNotSetError extends Error {
  override name = 'EventStreamNotSetError';
}

/**
 * Makes the plan so: the sink, the subscription, the missing event types;
 * then reads the subscription back and resolves only when Twilio holds every
 * type at its version. Returns the sink's and the subscription's SIDs.
 */
export async function applyEventStream(client: Twilio, spec: SinkSpec, plan: EventStreamPlan): Promise<{ sinkSid: string; subscriptionSid: string }> {
  const sinkSid =
    plan.sink?.sid ?? (await client.events.v1.sinks.create({ description: SINK_DESCRIPTION, sinkConfiguration: plan.configuration, sinkType: spec.type })).sid;
  // Before anything is subscribed: a sink whose destination Twilio holds otherwise would have every delivery answered 503.
  await checkSinkDestination(client, spec, sinkSid, plan.sink === null);
  let subscriptionSid = plan.subscription?.sid;
  if (subscriptionSid === undefined) {
    const types = plan.missingTypes.map((t) => ({ type: t.type, schema_version: t.schemaVersion }));
    subscriptionSid = (await client.events.v1.subscriptions.create({ description: SUBSCRIPTION_DESCRIPTION, sinkSid, types })).sid;
  } else {
    for (const t of plan.missingTypes)
      await client.events.v1.subscriptions(subscriptionSid).subscribedEvents.create({ type: t.type, schemaVersion: t.schemaVersion });
  }
  const held = new Map((await client.events.v1.subscriptions(subscriptionSid).subscribedEvents.list()).map((t) => [t.type, t.schemaVersion]));
  const absent = MESSAGING_EVENT_TYPES.filter((t) => held.get(t.type) !== t.schemaVersion).map((t) => t.type);
  if (absent.length > 0) throw new EventStreamNotSetError(`subscription ${subscriptionSid} does not hold ${absent.join(', ')} after the change`);
  return { sinkSid, subscriptionSid };
}
