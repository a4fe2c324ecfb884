import type { ArchiveRecord } from '../../src/domain/archiveRecord';

export function sid(prefix: string, n: number): string {
  return `${prefix}${n.toString(16).padStart(32, '0')}`;
}

/** A realistic record (callback-shaped params) for message `n`. */
export function syntheticRecord(n: number, step: number, createdAt: number, status: string): ArchiveRecord {
  const messageSid = sid('SM', n);
  const at = new Date(createdAt + step * 2000).toISOString();
  const to = `+1415${String(n % 10_000_000).padStart(7, '0')}`;
  return {
    v: 1,
    source: step === 0 ? 'send' : 'callback',
    recorded_at: at,
    event_at: step === 0 ? new Date(createdAt).toISOString() : null,
    account_sid: 'AC0123456789abcdef0123456789abcdef',
    message_sid: messageSid,
    messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
    status,
    error_code: null,
    to,
    from: '+15005550006',
    idempotency_token: null,
    tags: { order_id: String(n) },
    params: {
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      ApiVersion: '2010-04-01',
      From: '+15005550006',
      MessageSid: messageSid,
      MessageStatus: status,
      MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      SmsSid: messageSid,
      SmsStatus: status,
      To: to,
    },
  };
}
