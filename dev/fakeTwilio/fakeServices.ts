import { randomBytes } from 'node:crypto';

/** A Messaging Service as the fake holds it. */
export interface FakeMessagingService {
  sid: string;
  account_sid: string;
  friendly_name: string;
  status_callback: string | null;
}

/** A deployed Serverless service: its environments, and the Functions (path and visibility) each one's build holds. */
export interface FakeServerlessService {
  sid: string;
  account_sid: string;
  unique_name: string;
  friendly_name: string;
  environments: {
    sid: string;
    unique_name: string;
    domain_suffix: string | null;
    domain_name: string;
    /** The build deployed there; null before the first deploy. */
    build: { sid: string; functions: { path: string; visibility: 'public' | 'protected' | 'private' }[] } | null;
  }[];
}

export interface FakeAnswer {
  status: number;
  body: unknown;
}

const sidOf = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Messaging Services (messaging.twilio.com/v1) and Serverless
 * (serverless.twilio.com/v1) for the fake Twilio API. Both live under
 * `/v1/Services` once the base URL override has dropped the host; the SIDs
 * tell them apart (MG… and ZS…), and the list of services is Serverless's,
 * the only one this project reads.
 */
export class FakeServices {
  private readonly messaging = new Map<string, FakeMessagingService>();
  private readonly serverless = new Map<string, FakeServerlessService>();
  /** Every Messaging Service update, in order: what a test checks was (or was not) changed. */
  readonly updates: { sid: string; form: Record<string, string> }[] = [];

  constructor(private readonly baseUrl: () => string) {}

  putMessagingService(service: Partial<FakeMessagingService> & { account_sid: string }): FakeMessagingService {
    const full: FakeMessagingService = { sid: sidOf('MG'), friendly_name: 'Notifications', status_callback: null, ...service };
    this.messaging.set(full.sid, full);
    return full;
  }

  getMessagingService(sid: string): FakeMessagingService | undefined {
    return this.messaging.get(sid);
  }

  putServerlessService(service: Omit<FakeServerlessService, 'sid' | 'friendly_name'> & { sid?: string; friendly_name?: string }): FakeServerlessService {
    const full: FakeServerlessService = { sid: sidOf('ZS'), friendly_name: service.unique_name, ...service };
    this.serverless.set(full.sid, full);
    return full;
  }

  /** The answer for a `/v1/Services…` request of this account, or undefined if the path is not one of these. */
  handle(method: string, path: string, accountSid: string, form: URLSearchParams): FakeAnswer | undefined {
    const messaging = /^\/v1\/Services\/(MG[0-9a-f]{32})$/.exec(path);
    if (messaging) return this.messagingService(method, messaging[1], accountSid, form);
    if (method !== 'GET') return undefined;
    if (path === '/v1/Services') {
      const services = [...this.serverless.values()].filter((s) => s.account_sid === accountSid);
      return { status: 200, body: { services: services.map((s) => this.serverlessResource(s)), meta: this.meta('services', path) } };
    }
    const environments = /^\/v1\/Services\/(ZS[0-9a-f]{32})\/Environments$/.exec(path);
    if (environments) {
      const service = this.ownService(environments[1], accountSid);
      if (!service) return notFound(path);
      return {
        status: 200,
        body: { environments: service.environments.map((e) => this.environmentResource(service, e)), meta: this.meta('environments', path) },
      };
    }
    const build = /^\/v1\/Services\/(ZS[0-9a-f]{32})\/Builds\/(ZB[0-9a-f]{32})$/.exec(path);
    if (build) {
      const service = this.ownService(build[1], accountSid);
      const deployed = service?.environments.find((e) => e.build?.sid === build[2])?.build;
      if (!service || !deployed) return notFound(path);
      return { status: 200, body: this.buildResource(service, deployed) };
    }
    return undefined;
  }

  private messagingService(method: string, sid: string, accountSid: string, form: URLSearchParams): FakeAnswer {
    const service = this.messaging.get(sid);
    const path = `/v1/Services/${sid}`;
    if (!service || service.account_sid !== accountSid) return notFound(path);
    if (method === 'POST') {
      this.updates.push({ sid, form: Object.fromEntries(form) });
      if (form.has('StatusCallback')) service.status_callback = form.get('StatusCallback') || null;
    } else if (method !== 'GET') {
      return { status: 405, body: { code: 20004, message: 'Method not allowed', more_info: 'https://www.twilio.com/docs/errors/20004', status: 405 } };
    }
    const url = `${this.baseUrl()}${path}`;
    const at = iso(new Date('2026-01-05T10:00:00Z'));
    return {
      status: 200,
      body: {
        sid,
        account_sid: service.account_sid,
        friendly_name: service.friendly_name,
        date_created: at,
        date_updated: iso(new Date()),
        inbound_request_url: null,
        inbound_method: 'POST',
        fallback_url: null,
        fallback_method: 'POST',
        status_callback: service.status_callback,
        sticky_sender: true,
        mms_converter: true,
        smart_encoding: true,
        scan_message_content: 'inherit',
        fallback_to_long_code: false,
        area_code_geomatch: true,
        synchronous_validation: false,
        validity_period: 36000,
        url,
        links: { phone_numbers: `${url}/PhoneNumbers`, short_codes: `${url}/ShortCodes`, alpha_senders: `${url}/AlphaSenders` },
        usecase: 'notifications',
        us_app_to_person_registered: false,
        use_inbound_webhook_on_number: false,
      },
    };
  }

  private ownService(sid: string, accountSid: string): FakeServerlessService | undefined {
    const service = this.serverless.get(sid);
    return service?.account_sid === accountSid ? service : undefined;
  }

  private meta(key: string, path: string): Record<string, unknown> {
    const url = `${this.baseUrl()}${path}?PageSize=50&Page=0`;
    return { page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key };
  }

  private serverlessResource(s: FakeServerlessService): Record<string, unknown> {
    const url = `${this.baseUrl()}/v1/Services/${s.sid}`;
    return {
      sid: s.sid,
      account_sid: s.account_sid,
      friendly_name: s.friendly_name,
      unique_name: s.unique_name,
      include_credentials: true,
      ui_editable: false,
      domain_base: s.unique_name,
      date_created: iso(new Date('2026-01-05T10:00:00Z')),
      date_updated: iso(new Date('2026-01-05T10:00:00Z')),
      url,
      links: { environments: `${url}/Environments`, functions: `${url}/Functions`, assets: `${url}/Assets`, builds: `${url}/Builds` },
    };
  }

  private environmentResource(s: FakeServerlessService, e: FakeServerlessService['environments'][number]): Record<string, unknown> {
    const url = `${this.baseUrl()}/v1/Services/${s.sid}/Environments/${e.sid}`;
    return {
      sid: e.sid,
      account_sid: s.account_sid,
      service_sid: s.sid,
      build_sid: e.build?.sid ?? null,
      unique_name: e.unique_name,
      domain_suffix: e.domain_suffix,
      domain_name: e.domain_name,
      date_created: iso(new Date('2026-01-05T10:00:00Z')),
      date_updated: iso(new Date('2026-01-05T10:00:00Z')),
      url,
      links: { variables: `${url}/Variables`, deployments: `${url}/Deployments`, logs: `${url}/Logs` },
    };
  }

  private buildResource(s: FakeServerlessService, build: NonNullable<FakeServerlessService['environments'][number]['build']>): Record<string, unknown> {
    const at = iso(new Date('2026-01-05T10:00:00Z'));
    return {
      sid: build.sid,
      account_sid: s.account_sid,
      service_sid: s.sid,
      status: 'completed',
      asset_versions: [],
      function_versions: build.functions.map((f) => ({
        sid: sidOf('ZN'),
        account_sid: s.account_sid,
        service_sid: s.sid,
        function_sid: sidOf('ZH'),
        date_created: at,
        path: f.path,
        visibility: f.visibility,
      })),
      dependencies: [{ name: 'twilio', version: '6.2.0' }],
      runtime: 'node22',
      date_created: at,
      date_updated: at,
      url: `${this.baseUrl()}/v1/Services/${s.sid}/Builds/${build.sid}`,
      links: { build_status: `${this.baseUrl()}/v1/Services/${s.sid}/Builds/${build.sid}/Status` },
    };
  }
}

function notFound(path: string): FakeAnswer {
  return {
    status: 404,
    body: { code: 20404, message: `The requested resource ${path} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 },
  };
}
