import { buildReconcileRecord } from '../../../src/domain/reconcile/reconcileRecord';
import type { TwilioMessageRow } from '../../../src/domain/reconcile/twilioRow';
import { schemaErrors } from '../../helpers/archiveSchema';
import { fullNumbersIn } from '../../helpers/fullNumbers';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';

describe('reconcile records with redaction on', () => {
  it('mask every number: the row, a status or code that is one, and the tags quoted from an attempt, names included', () => {
    const row: TwilioMessageRow = {
      sid: 'SM0123456789abcdef0123456789abcdef',
      accountSid: ACCOUNT,
      status: 'delivered',
      direction: 'outbound-api',
      to: '+14155550021',
      from: '+15005550006',
      dateCreated: '2026-11-25T10:00:00.000Z',
      dateSent: null,
      errorCode: '14155550022',
      messagingServiceSid: null,
    };
    const record = buildReconcileRecord(
      row,
      ACCOUNT,
      { category: 'matched_by_envelope', attemptId: 'a-1', tags: { '+14155550023': 'x', note: 'call+14155550024' } },
      new Date('2026-11-26T00:00:00.000Z'),
      4,
    );
    expect(fullNumbersIn(record, ['+14155550021', '+15005550006', '+14155550022', '+14155550023', '+14155550024'])).toEqual([]);
    expect(record).toMatchObject({ to: '+1415555****', error_code: '1415555****', tags: { '+1415555****': 'x', note: 'call+1415555****' } });
    expect(record.params.twilio).toMatchObject({ dateCreated: '2026-11-25T10:00:00.000Z', sid: row.sid });
    expect(schemaErrors(record)).toEqual([]);
  });
});
