/** Test SIDs and callbacks shaped like Twilio's. */
export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';
export const MESSAGE_SID = 'SM0123456789abcdef0123456789abcdef';

export function smsCallback(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    From: '+15005550006',
    MessageSid: MESSAGE_SID,
    MessageStatus: 'delivered',
    MessagingServiceSid: SERVICE_SID,
    RawDlrDoneDate: '2611261530',
    SmsSid: MESSAGE_SID,
    SmsStatus: 'delivered',
    To: '+14155550101',
    ...overrides,
  };
}

/** Ingest settings for unit tests (Firehose is mocked); secrets chosen to be searched for in logs. */
export const ARCHIVE_ENV = {
  ARCHIVE_FIREHOSE_STREAM: 'archive',
  ARCHIVE_AWS_REGION: 'us-east-1',
  ARCHIVE_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  ARCHIVE_AWS_SECRET_ACCESS_KEY: 'very-secret-key',
  ARCHIVE_WRITE_BUDGET_MS: '600',
};
