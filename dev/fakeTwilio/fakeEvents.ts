import { iso, listMeta, problem, sidOf, type FakeAnswer } from './fakeAnswers';

/** An Event Streams sink as the fake holds it. */
export interface FakeSink {
  sid: string;
  account_sid: string;
  description: string;
  sink_type: 'kinesis' | 'webhook' | 'segment' | 'email';
  sink_configuration: Record<string, unknown>;
  status: 'initialized' | 'validating' | 'active' | 'failed';
}

export interface FakeSubscription {
  sid: string;
  account_sid: string;
  sink_sid: string;
  description: string;
  /** Subscribed event types and their schema versions. */
  types: { type: string; schema_version: number }[];
}

const SINK_TYPES = ['kinesis', 'webhook', 'segment', 'email'];
const CREATED = iso(new Date('2026-01-05T10:00:00Z'));

function json(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Event Streams' sinks and subscriptions (events.twilio.com/v1) for the fake
 * Twilio API: the resources `configure-event-stream` reads and creates, with
 * the form fields as the `twilio` client sends them (`SinkConfiguration` and
 * each `Types` entry as JSON text) and answers shaped as the Events API's
 * OpenAPI spec says (checked by the tests). Sinks are active on creation, as
 * Twilio's docs now say they are.
 */
export class FakeEvents {
  readonly sinks = new Map<string, FakeSink>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  /** Every request that changed something, in order: what a test checks was (or was not) changed. */
  readonly changes: { method: string; path: string; form: Record<string, string[]> }[] = [];

  /**
   * How a created webhook sink's destination is stored. Twilio is not
   * documented to change it; a test can make it (a trailing slash added, say)
   * to see that configure-event-stream reads the sink back.
   */
  storeDestination: (destination: string) => string = (destination) => destination;

  constructor(private readonly baseUrl: () => string) {}

  putSink(sink: Omit<FakeSink, 'sid' | 'status'> & { sid?: string; status?: FakeSink['status'] }): FakeSink {
    const full: FakeSink = { sid: sidOf('DG'), status: 'active', ...sink };
    this.sinks.set(full.sid, full);
    return full;
  }

  putSubscription(subscription: Omit<FakeSubscription, 'sid'> & { sid?: string }): FakeSubscription {
    const full: FakeSubscription = { sid: sidOf('DF'), ...subscription };
    this.subscriptions.set(full.sid, full);
    return full;
  }

  /** The answer for an Events API request of this account, or undefined if the path is not one of these. */
  handle(method: string, url: URL, accountSid: string, form: URLSearchParams): FakeAnswer | undefined {
    const path = url.pathname;
    if (method === 'POST') this.changes.push({ method, path, form: Object.fromEntries([...new Set(form.keys())].map((k) => [k, form.getAll(k)])) });
    if (path === '/v1/Sinks') return method === 'POST' ? this.createSink(accountSid, form) : this.listSinks(accountSid, path);
    const sink = /^\/v1\/Sinks\/(DG[0-9a-fA-F]{32})$/.exec(path);
    if (sink) {
      const found = this.sinks.get(sink[1]);
      if (!found || found.account_sid !== accountSid) return problem(404, 20404, `The requested resource ${path} was not found`);
      if (method === 'DELETE') {
        this.changes.push({ method, path, form: {} });
        this.sinks.delete(found.sid);
        return { status: 204, body: null };
      }
      return { status: 200, body: this.sinkResource(found) };
    }
    if (path === '/v1/Subscriptions') {
      return method === 'POST' ? this.createSubscription(accountSid, form) : this.listSubscriptions(accountSid, url);
    }
    const subscription = /^\/v1\/Subscriptions\/(DF[0-9a-fA-F]{32})$/.exec(path);
    if (subscription) {
      const found = this.ownSubscription(subscription[1], accountSid);
      if (!found) return problem(404, 20404, `The requested resource ${path} was not found`);
      return { status: 200, body: this.subscriptionResource(found) };
    }
    const subscribed = /^\/v1\/Subscriptions\/(DF[0-9a-fA-F]{32})\/SubscribedEvents$/.exec(path);
    if (subscribed) {
      const found = this.ownSubscription(subscribed[1], accountSid);
      if (!found) return problem(404, 20404, `The requested resource ${path} was not found`);
      return method === 'POST' ? this.subscribe(found, form) : this.listSubscribed(found, path);
    }
    return undefined;
  }

  private createSink(accountSid: string, form: URLSearchParams): FakeAnswer {
    const description = form.get('Description');
    const type = form.get('SinkType');
    const configuration = json(form.get('SinkConfiguration'));
    if (!description || !type || form.get('SinkConfiguration') === null)
      return problem(400, 20001, 'Missing required parameter Description, SinkConfiguration or SinkType');
    if (!SINK_TYPES.includes(type)) return problem(400, 20001, `Invalid SinkType ${type}`);
    if (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration))
      return problem(400, 20001, 'SinkConfiguration must be a JSON object');
    const held = { ...(configuration as Record<string, unknown>) };
    if (typeof held.destination === 'string') held.destination = this.storeDestination(held.destination);
    const sink = this.putSink({ account_sid: accountSid, description, sink_type: type as FakeSink['sink_type'], sink_configuration: held });
    return { status: 201, body: this.sinkResource(sink) };
  }

  private listSinks(accountSid: string, path: string): FakeAnswer {
    const sinks = [...this.sinks.values()].filter((s) => s.account_sid === accountSid);
    return { status: 200, body: { sinks: sinks.map((s) => this.sinkResource(s)), meta: this.meta('sinks', path) } };
  }

  private createSubscription(accountSid: string, form: URLSearchParams): FakeAnswer {
    const description = form.get('Description');
    const sinkSid = form.get('SinkSid');
    const types = form.getAll('Types').map((entry) => json(entry));
    if (!description || !sinkSid || types.length === 0) return problem(400, 20001, 'Missing required parameter Description, SinkSid or Types');
    const sink = this.sinks.get(sinkSid);
    if (!sink || sink.account_sid !== accountSid) return problem(400, 20001, `Sink ${sinkSid} not found`);
    if (sink.status !== 'active') return problem(400, 20001, 'Sink must be active for the subscription to be created');
    const parsed: FakeSubscription['types'] = [];
    for (const entry of types) {
      const type = (entry as { type?: unknown } | undefined)?.type;
      const version = (entry as { schema_version?: unknown } | undefined)?.schema_version;
      if (typeof type !== 'string') return problem(400, 20001, 'Each Types entry must be a JSON object with a type');
      parsed.push({ type, schema_version: typeof version === 'number' ? version : 1 });
    }
    const subscription = this.putSubscription({ account_sid: accountSid, sink_sid: sinkSid, description, types: parsed });
    return { status: 201, body: this.subscriptionResource(subscription) };
  }

  private listSubscriptions(accountSid: string, url: URL): FakeAnswer {
    const sinkSid = url.searchParams.get('SinkSid');
    const found = [...this.subscriptions.values()].filter((s) => s.account_sid === accountSid && (sinkSid === null || s.sink_sid === sinkSid));
    return { status: 200, body: { subscriptions: found.map((s) => this.subscriptionResource(s)), meta: this.meta('subscriptions', url.pathname) } };
  }

  private subscribe(subscription: FakeSubscription, form: URLSearchParams): FakeAnswer {
    const type = form.get('Type');
    if (!type) return problem(400, 20001, 'Missing required parameter Type');
    const version = Number(form.get('SchemaVersion') ?? '1');
    const existing = subscription.types.find((t) => t.type === type);
    if (existing) existing.schema_version = version;
    else subscription.types.push({ type, schema_version: version });
    return { status: 201, body: this.subscribedResource(subscription, { type, schema_version: version }) };
  }

  private listSubscribed(subscription: FakeSubscription, path: string): FakeAnswer {
    return {
      status: 200,
      body: { types: subscription.types.map((t) => this.subscribedResource(subscription, t)), meta: this.meta('types', path) },
    };
  }

  private ownSubscription(sid: string, accountSid: string): FakeSubscription | undefined {
    const found = this.subscriptions.get(sid);
    return found?.account_sid === accountSid ? found : undefined;
  }

  private meta(key: string, path: string): Record<string, unknown> {
    return listMeta(this.baseUrl(), key, path);
  }

  private sinkResource(sink: FakeSink): Record<string, unknown> {
    const url = `${this.baseUrl()}/v1/Sinks/${sink.sid}`;
    return {
      date_created: CREATED,
      date_updated: CREATED,
      description: sink.description,
      sid: sink.sid,
      sink_configuration: sink.sink_configuration,
      sink_type: sink.sink_type,
      status: sink.status,
      url,
      links: { sink_test: `${url}/Test`, sink_validate: `${url}/Validate` },
    };
  }

  private subscriptionResource(subscription: FakeSubscription): Record<string, unknown> {
    const url = `${this.baseUrl()}/v1/Subscriptions/${subscription.sid}`;
    return {
      account_sid: subscription.account_sid,
      sid: subscription.sid,
      date_created: CREATED,
      date_updated: CREATED,
      description: subscription.description,
      sink_sid: subscription.sink_sid,
      url,
      links: { subscribed_events: `${url}/SubscribedEvents` },
    };
  }

  private subscribedResource(subscription: FakeSubscription, type: { type: string; schema_version: number }): Record<string, unknown> {
    return {
      account_sid: subscription.account_sid,
      type: type.type,
      schema_version: type.schema_version,
      subscription_sid: subscription.sid,
      url: `${this.baseUrl()}/v1/Subscriptions/${subscription.sid}/SubscribedEvents/${type.type}`,
    };
  }
}
