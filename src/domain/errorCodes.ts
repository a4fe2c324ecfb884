/**
 * What the error codes this archive meets mean: the titles of Twilio's Error
 * and Warning Dictionary (https://www.twilio.com/docs/api/errors, one page a
 * code, e.g. https://www.twilio.com/docs/api/errors/30003), for the messaging
 * codes a status callback, an API error or a Debugger alert carries. A code
 * not listed here is shown with the dictionary's address instead.
 */
export const MESSAGING_ERROR_CODES: Readonly<Record<string, string>> = {
  '11200': 'HTTP retrieval failure',
  '21211': "Invalid 'To' phone number",
  '21408': "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
  '21610': 'Attempt to send to unsubscribed recipient',
  '21612': "The 'To' phone number is not currently reachable via SMS or MMS",
  '21614': "'To' number is not a valid mobile number",
  '30001': 'Queue overflow',
  '30002': 'Account suspended',
  '30003': 'Unreachable destination handset',
  '30004': 'Message blocked',
  '30005': 'Unknown destination handset',
  '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered',
  '30008': 'Unknown error',
  '30009': 'Missing segment',
  '30010': 'Message price exceeds max price',
  '30034': 'Message from an unregistered number (US A2P 10DLC)',
  '63016': 'Failed to send a freeform WhatsApp message: outside the allowed window',
};

/** `30003 (Unreachable destination handset)`; an unknown code with where to look it up. */
export function errorCodeInWords(code: string): string {
  const meaning = MESSAGING_ERROR_CODES[code];
  return meaning ? `${code} (${meaning})` : `${code} (see https://www.twilio.com/docs/api/errors/${encodeURIComponent(code)})`;
}
