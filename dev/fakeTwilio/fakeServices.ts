import { iso, notFound, problem, sidOf, type FakeAnswer } from './fakeAnswers';

/** A Messaging Service as the fake holds it. */
export interface FakeMessagingService {
  sid: string;
  account_sid: string;
  friendly_name: string;
  status_callback: string | null;
}

/**
 * Messaging Services (messaging.twilio.com/v1) for the fake Twilio API: the
 * one resource configure-callback reads and updates. Its path,
 * `/v1/Services/MG…`, is shared with Serverless's services (`ZS…`) once the
 * base URL override has dropped the host: the SID tells them apart.
 */
export class FakeServices {
  private readonly messaging = new Map<string, FakeMessagingService>();
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

  /** The answer for a `/v1/Services/MG…` request of this account, or undefined if the path is not one. */
  handle(method: string, path: string, accountSid: string, form: URLSearchParams): FakeAnswer | undefined {
    const messaging = /^\/v1\/Services\/(MG[0-9a-f]{32})$/.exec(path);
    return messaging ? this.messagingService(method, messaging[1], accountSid, form) : undefined;
  }

  private messagingService(method: string, sid: string, accountSid: string, form: URLSearchParams): FakeAnswer {
    const service = this.messaging.get(sid);
    const path = `/v1/Services/${sid}`;
    if (!service || service.account_sid !== accountSid) return notFound(path);
    if (method === 'POST') {
      this.updates.push({ sid, form: Object.fromEntries(form) });
      if (form.has('StatusCallback')) service.status_callback = form.get('StatusCallback') || null;
    } else if (method !== 'GET') {
      return problem(405, 20004, 'Method not allowed');
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
}
