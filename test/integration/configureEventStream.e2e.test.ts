/**
 * configure-event-stream (the real CLI) against the fake Twilio API's Events
 * API (sinks, subscriptions, subscribed events) and Serverless API, with the
 * fake's Events answers checked against Twilio's OpenAPI spec.
 */
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import { MESSAGING_EVENT_TYPES, SINK_DESCRIPTION, SUBSCRIPTION_DESCRIPTION } from '../../src/configure/configureEventStream';
import { runScript } from '../helpers/runScript';
import { eventsSchemas, twilioSchemaValidator } from '../helpers/twilioOpenApi';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const PROD_URL = 'https://message-archive-4821-prod.twil.io/event-stream';
const KINESIS = ['--kinesis-arn', 'arn:aws:kinesis:us-east-1:123456789012:stream/message-events', '--role-arn', 'arn:aws:iam::123456789012:role/twilio-events'];
const EXTERNAL_ID = 'shared-secret-7d1f0c';

describe('configure-event-stream', () => {
  let fake: FakeTwilioApi;
  let env: Record<string, string>;

  beforeEach(async () => {
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
    const environment = (n: string, suffix: string, visibility: 'public' | 'protected') => ({
      sid: `ZE${n.repeat(32)}`,
      unique_name: `${suffix}-environment`,
      domain_suffix: suffix,
      domain_name: `message-archive-4821-${suffix}.twil.io`,
      build: {
        sid: `ZB${n.repeat(32)}`,
        functions: [
          { path: '/status-callback', visibility: 'protected' as const },
          { path: '/event-stream', visibility },
        ],
      },
    });
    fake.serverless.putService({
      account_sid: ACCOUNT,
      unique_name: 'message-archive',
      environments: [environment('1', 'prod', 'public'), environment('2', 'dev', 'protected')],
    });
  });
  afterEach(() => fake.stop());

  const run = (args: string[]) => runScript('scripts/configure-event-stream.ts', args, env);
  const subscribedTypes = (subscriptionSid: string) =>
    Object.fromEntries(fake.events.subscriptions.get(subscriptionSid)!.types.map((t) => [t.type, t.schema_version]));
  const allTypes = Object.fromEntries(MESSAGING_EVENT_TYPES.map((t) => [t.type, t.schemaVersion]));

  it('finds the public Function, creates the webhook sink and a subscription to every messaging type, then finds it all set', async () => {
    const result = await run(['--service', 'message-archive', '--environment', 'prod', '--yes']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Event Streams sink (webhook): {"destination":"${PROD_URL}","method":"POST","batch_events":false}`);
    expect(result.stdout).toContain('public, as it must be (checked through the Serverless API)');
    expect(result.stdout).toMatch(/sink: none with this configuration: one will be created/);
    expect(result.stdout).toMatch(/Set: sink DG[0-9a-f]{32}, subscription DF[0-9a-f]{32}, all 7 messaging event types/);

    const [sink] = fake.events.sinks.values();
    expect(sink).toMatchObject({
      description: SINK_DESCRIPTION,
      sink_type: 'webhook',
      sink_configuration: { destination: PROD_URL, method: 'POST', batch_events: false },
    });
    const [subscription] = fake.events.subscriptions.values();
    expect(subscription).toMatchObject({ sink_sid: sink.sid, description: SUBSCRIPTION_DESCRIPTION });
    expect(subscribedTypes(subscription.sid)).toEqual(allTypes);
    // As the twilio client sent them: the configuration and each type as JSON text.
    expect(fake.events.changes.map((c) => c.path)).toEqual(['/v1/Sinks', '/v1/Subscriptions']);
    expect(JSON.parse(fake.events.changes[0].form.SinkConfiguration[0])).toEqual({ destination: PROD_URL, method: 'POST', batch_events: false });
    expect(fake.events.changes[1].form.Types.map((t) => JSON.parse(t) as unknown)).toEqual(
      MESSAGING_EVENT_TYPES.map((t) => ({ type: t.type, schema_version: t.schemaVersion })),
    );

    const again = await run(['--service', 'message-archive', '--environment', 'prod-environment', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Already set: nothing to change/);
    expect(fake.events.changes).toHaveLength(2);
  });

  it("posts to the environment's ARCHIVE_EVENT_STREAM_URL when it sets one: the URL the Function checks signatures against", async () => {
    const custom = 'https://archive.example.com/event-stream';
    fake.serverless.putService({
      account_sid: ACCOUNT,
      unique_name: 'custom-domain',
      environments: [
        {
          unique_name: 'production',
          domain_suffix: null,
          domain_name: 'custom-domain-1234.twil.io',
          build: { functions: [{ path: '/event-stream', visibility: 'public' }] },
          variables: { ARCHIVE_EVENT_STREAM_URL: custom, ARCHIVE_FIREHOSE_STREAM: 'x' },
        },
      ],
    });
    const result = await run(['--service', 'custom-domain', '--environment', 'production', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`it checks signatures against ${custom}, the environment's ARCHIVE_EVENT_STREAM_URL`);
    const [sink] = fake.events.sinks.values();
    expect(sink.sink_configuration).toMatchObject({ destination: custom });
  });

  it('reads the sink back, and refuses (exit 2, naming both URLs) to subscribe a sink Twilio holds with another destination, removing the one it made', async () => {
    fake.events.storeDestination = (destination) => `${destination}/`;
    for (let run_ = 0; run_ < 2; run_++) {
      const result = await run(['--service', 'message-archive', '--environment', 'prod', '--yes']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`Refused: sink DG[0-9a-f]{32} posts to "${PROD_URL}/", but the Function checks signatures against "${PROD_URL}"`),
      );
      expect(result.stderr).toMatch(/answered 503 and dropped by Twilio after 4 hours\. The sink this run created is removed again/);
      // Run again: still no sink left behind, and nothing subscribed.
      expect(fake.events.sinks.size).toBe(0);
      expect(fake.events.subscriptions.size).toBe(0);
    }
  });

  it('refuses an environment whose ARCHIVE_EVENT_STREAM_URL the Function itself refuses (a query, http), as it refuses such a --url', async () => {
    for (const [name, url] of [
      ['with-query', 'https://archive.example.com/event-stream?token=1'],
      ['plain-http', 'http://archive.example.com/event-stream'],
    ]) {
      fake.serverless.putService({
        account_sid: ACCOUNT,
        unique_name: name,
        environments: [
          {
            unique_name: 'production',
            domain_suffix: null,
            domain_name: `${name}-1234.twil.io`,
            build: { functions: [{ path: '/event-stream', visibility: 'public' }] },
            variables: { ARCHIVE_EVENT_STREAM_URL: url },
          },
        ],
      });
      const result = await run(['--service', name, '--environment', 'production', '--dry-run']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Refused: the environment's ARCHIVE_EVENT_STREAM_URL must (be https|have no query)/);
      expect(fake.events.changes).toEqual([]);
    }
  });

  it("warns of a sink of the archive's that posts to no environment's URL, and only notes another environment's", async () => {
    fake.events.putSink({
      account_sid: ACCOUNT,
      description: SINK_DESCRIPTION,
      sink_type: 'webhook',
      sink_configuration: { destination: 'https://message-archive-4821-dev.twil.io/event-stream', method: 'POST', batch_events: false },
    });
    const other = await run(['--service', 'message-archive', '--environment', 'prod', '--dry-run']);
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/note: sink DG[0-9a-f]{32} \(webhook\) .*message-archive-4821-dev.* is also the archive's/);
    expect(other.stdout).not.toMatch(/WARNING/);

    fake.events.putSink({
      account_sid: ACCOUNT,
      description: SINK_DESCRIPTION,
      sink_type: 'webhook',
      sink_configuration: { destination: `${PROD_URL}/`, method: 'POST', batch_events: false },
    });
    const stray = await run(['--service', 'message-archive', '--environment', 'prod', '--dry-run']);
    expect(stray.stdout).toMatch(/WARNING: sink DG[0-9a-f]{32} .*event-stream\/".* posts to no URL an environment of this service checks signatures against/);
  });

  it('adds only the event types a found subscription lacks, or holds at another version', async () => {
    const sink = fake.events.putSink({
      account_sid: ACCOUNT,
      description: SINK_DESCRIPTION,
      sink_type: 'webhook',
      sink_configuration: { destination: PROD_URL, method: 'POST', batch_events: false },
    });
    const held = MESSAGING_EVENT_TYPES.slice(0, 5).map((t) => ({ type: t.type, schema_version: t.schemaVersion }));
    held[0].schema_version = 3;
    const subscription = fake.events.putSubscription({ account_sid: ACCOUNT, sink_sid: sink.sid, description: SUBSCRIPTION_DESCRIPTION, types: held });
    const result = await run(['--url', PROD_URL, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('COULD NOT CHECK');
    expect(result.stdout).toContain(`event types: 4 of 7 subscribed; to add: ${MESSAGING_EVENT_TYPES[0].type} (v8)`);
    expect(fake.events.changes.map((c) => [c.path, c.form.Type[0]])).toEqual(
      [MESSAGING_EVENT_TYPES[0], ...MESSAGING_EVENT_TYPES.slice(5)].map((t) => [`/v1/Subscriptions/${subscription.sid}/SubscribedEvents`, t.type]),
    );
    expect(subscribedTypes(subscription.sid)).toEqual(allTypes);
  });

  it('refuses a protected /event-stream Function (exit 2) and changes nothing', async () => {
    const result = await run(['--service', 'message-archive', '--environment', 'dev', '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Refused: the Function at \/event-stream .* is protected, not public/);
    expect(fake.events.changes).toEqual([]);
  });

  it('changes nothing on --dry-run, nor without a terminal to ask on (exit 1)', async () => {
    const dry = await run(['--url', PROD_URL, '--batch-events', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('"batch_events":true');
    expect(dry.stdout).toMatch(/Dry run: nothing changed/);
    const unasked = await run(['--url', PROD_URL]);
    expect(unasked.code).toBe(1);
    expect(unasked.stderr).toMatch(/cannot ask: pass --yes/);
    expect(fake.events.changes).toEqual([]);
  });

  it('creates a Kinesis sink with the role and external id, and never prints the external id', async () => {
    const result = await run([...KINESIS, '--external-id', EXTERNAL_ID, '--yes']);
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(EXTERNAL_ID);
    expect(result.stdout).toContain('"external_id":"(hidden)"');
    const [sink] = fake.events.sinks.values();
    expect(sink).toMatchObject({
      sink_type: 'kinesis',
      sink_configuration: {
        arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/message-events',
        role_arn: 'arn:aws:iam::123456789012:role/twilio-events',
        external_id: EXTERNAL_ID,
      },
    });
  });

  it.each([
    [['--url', 'http://plain.example.com/event-stream', '--yes'], /must be https/],
    [['--url', `${PROD_URL}?tag=1`, '--yes'], /no query, fragment or user info/],
    [[...KINESIS, '--yes'], /--external-id is required/],
    [['--url', PROD_URL, ...KINESIS, '--external-id', 'x'], /give the sink/],
    [
      ['--kinesis-arn', 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x', '--role-arn', 'arn:aws:iam::123456789012:role/r', '--external-id', 'x'],
      /Kinesis Data Stream ARN/,
    ],
  ])('refuses bad arguments %j (exit 2) before any request', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(fake.stats.requests).toBe(0);
  });

  it("answers the Events API as Twilio's OpenAPI spec says", async () => {
    await run(['--url', PROD_URL, '--yes']);
    const schemas = eventsSchemas();
    const get = async (path: string) => {
      const response = await fetch(`${fake.url}${path}`, { headers: { Authorization: `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}` } });
      return (await response.json()) as Record<string, unknown>;
    };
    const sinks = await get('/v1/Sinks');
    expect(twilioSchemaValidator('twilio_events_v1.json', schemas.sinkList)(sinks)).toEqual([]);
    const [sink] = fake.events.sinks.values();
    expect(twilioSchemaValidator('twilio_events_v1.json', schemas.sink)(await get(`/v1/Sinks/${sink.sid}`))).toEqual([]);
    const subscriptions = await get(`/v1/Subscriptions?SinkSid=${sink.sid}`);
    expect(twilioSchemaValidator('twilio_events_v1.json', schemas.subscriptionList)(subscriptions)).toEqual([]);
    const [subscription] = fake.events.subscriptions.values();
    expect(twilioSchemaValidator('twilio_events_v1.json', schemas.subscription)(await get(`/v1/Subscriptions/${subscription.sid}`))).toEqual([]);
    const subscribed = await get(`/v1/Subscriptions/${subscription.sid}/SubscribedEvents`);
    expect(twilioSchemaValidator('twilio_events_v1.json', schemas.subscribedList)(subscribed)).toEqual([]);
    // The validator does catch a resource off the spec.
    expect(twilioSchemaValidator('twilio_events_v1.json', schemas.sink)({ ...sinks, sid: 'DG1', status: 'sleeping' })).not.toEqual([]);
  });
});
