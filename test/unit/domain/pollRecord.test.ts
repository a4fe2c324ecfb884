import { buildNotFoundRecord, buildPollRecord } from '../../../src/domain/pollRecord';
import { toIsoUtc } from '../../../src/domain/time';
import { schemaErrors } from '../../helpers/archiveSchema';
import { fullNumbersIn } from '../../helpers/fullNumbers';
import { ACCOUNT_SID, MESSAGE_SID, SERVICE_SID } from '../../helpers/callbacks';

const resource = {
  account_sid: ACCOUNT_SID,
  sid: MESSAGE_SID,
  messaging_service_sid: SERVICE_SID,
  status: 'undelivered',
  error_code: 30003,
  to: '+14155550101',
  from: '+15005550006',
  body: 'Your code is 1234',
  date_updated: 'Fri, 24 May 2019 17:44:46 +0000',
  num_segments: '1',
};
const at = new Date('2026-11-26T12:00:00.000Z');

describe('poll records', () => {
  it('records what the API says, the whole resource under params', () => {
    const record = buildPollRecord(resource, at);
    expect(record).toMatchObject({
      source: 'poll',
      recorded_at: '2026-11-26T12:00:00.000Z',
      event_at: '2019-05-24T17:44:46.000Z',
      status: 'undelivered',
      error_code: '30003',
      to: '+14155550101',
      messaging_service_sid: SERVICE_SID,
      params: resource,
    });
    expect(schemaErrors(record)).toEqual([]);
  });

  it('redacts numbers in the record and the resource', () => {
    const record = buildPollRecord(resource, at, 4);
    expect(record.to).toBe('+1415555****');
    expect(record.params).toMatchObject({ to: '+1415555****', from: '+1500555****', body: 'Your code is 1234' });
  });

  it('masks numbers anywhere in the resource, and in a 404 answer, and keeps the error code', () => {
    const record = buildPollRecord({ ...resource, status: '+14155550026', extra: { hops: ['abc+14155550021'] } }, at, 4);
    expect(fullNumbersIn(record, ['+14155550021', '+14155550026'])).toEqual([]);
    expect(record).toMatchObject({ status: '+1415555****', error_code: '30003', params: { error_code: 30003 } });
    const gone = buildNotFoundRecord(ACCOUNT_SID, MESSAGE_SID, { code: 20404, message: 'No message to +14155550022' }, at, 4);
    expect(fullNumbersIn(gone, ['+14155550022'])).toEqual([]);
  });

  it("records a 404 with the not_found pseudo-status and Twilio's answer", () => {
    const record = buildNotFoundRecord(ACCOUNT_SID, MESSAGE_SID, { code: 20404, message: 'not found' }, at);
    expect(record).toMatchObject({ source: 'poll', status: 'not_found', event_at: null, params: { http_status: 404, code: 20404 } });
    expect(schemaErrors(record)).toEqual([]);
  });

  it('reads RFC 2822 and ISO dates, and nothing else', () => {
    expect(toIsoUtc('Fri, 24 May 2019 17:44:46 +0000')).toBe('2019-05-24T17:44:46.000Z');
    expect(toIsoUtc('2019-05-24T17:44:46Z')).toBe('2019-05-24T17:44:46.000Z');
    expect(toIsoUtc('soon')).toBeNull();
    expect(toIsoUtc(null)).toBeNull();
  });
});
