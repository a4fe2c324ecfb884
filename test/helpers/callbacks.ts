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
