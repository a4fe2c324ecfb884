import { errorCodeInWords } from '../../../src/domain/errorCodes';
import { gapInWords } from '../../../src/domain/reconcile/gapWords';

describe('a gap in words', () => {
  it('says what each side says, with the error codes meant', () => {
    expect(
      gapInWords({
        category: 'status_behind',
        message_sid: 'SM1',
        evidence: {
          archive: { status: 'sent', error_code: null, last_recorded_at: '2026-11-25T09:14:00.000Z' },
          twilio: { status: 'delivered', error_code: null },
        },
      }),
    ).toBe('The archive says `sent` (last recorded at 2026-11-25 09:14:00 UTC); Twilio says `delivered`.');
    expect(gapInWords({ category: 'missing', message_sid: 'SM1', evidence: { archive: null, twilio: { status: 'undelivered', error_code: '30007' } } })).toBe(
      'The archive holds nothing for this message; Twilio says `undelivered`, error 30007 (Message filtered).',
    );
    expect(
      gapInWords({ category: 'unknown_to_twilio', message_sid: 'SM1', evidence: { archive: { status: 'queued', created_at: '2026-11-25T09:00:00.000Z' } } }),
    ).toBe("The sender recorded this message as `queued`, created at 2026-11-25 09:00:00 UTC; Twilio's list does not hold it.");
  });

  it('names the candidates an ambiguous attempt fits, and quotes Debugger alerts', () => {
    const words = gapInWords({
      category: 'ambiguous_envelope',
      message_sid: null,
      evidence: {
        attempt: { to: '+1415555****', at: '2026-11-25T07:00:00.000Z', client_ref: 'r-9' },
        candidates: [{}, {}],
        debugger_alerts: [{ level: 'error', error_code: '30005', at: '2026-11-25T07:01:00Z' }],
      },
    });
    expect(words).toBe(
      "A send attempt to +1415555**** at 2026-11-25 07:00:00 UTC (client reference r-9) fits 2 messages of Twilio's list: a person decides which, if any, it created. Twilio's Debugger: error 30005 (Unknown destination handset) at 2026-11-25 07:01:00 UTC.",
    );
  });

  it('quotes both rows of a SID Twilio lists twice, and says nothing was corrected', () => {
    const words = gapInWords({
      category: 'listed_twice',
      message_sid: 'SM1',
      evidence: {
        twilio_rows: [
          { status: 'delivered', error_code: null },
          { status: 'undelivered', error_code: '30003' },
        ],
      },
    });
    expect(words).toBe(
      "Twilio's list gives this message 2 times with different rows: `delivered` and `undelivered`, error 30003 (Unreachable destination handset). Neither is believed and nothing was corrected: a person asks Twilio which is right.",
    );
  });

  it('points at the dictionary for a code it does not know', () => {
    expect(errorCodeInWords('30003')).toBe('30003 (Unreachable destination handset)');
    expect(errorCodeInWords('99999')).toBe('99999 (see https://www.twilio.com/docs/api/errors/99999)');
  });
});
