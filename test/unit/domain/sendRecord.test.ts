import { buildSendErrorRecord, buildSendRecord } from '../../../src/domain/sendRecord';
import { schemaErrors } from '../../helpers/archiveSchema';
import { fullNumbersIn } from '../../helpers/fullNumbers';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const SID = 'SM0123456789abcdef0123456789abcdef';
const recordedAt = new Date('2026-11-27T10:00:01.250Z');

const resource = {
  account_sid: ACCOUNT,
  sid: SID,
  status: 'accepted',
  to: '+14155550123',
  from: null,
  messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
  date_created: '2026-11-27T10:00:00.000Z',
  error_code: null,
  body: 'Your code is 1234',
  num_segments: '1',
};

describe('buildSendRecord', () => {
  it('records the SID, the initial status at date_created, the envelope, the tags and the whole resource', () => {
    const record = buildSendRecord(resource, { order_id: '42', client_ref: 'r-1' }, recordedAt);
    expect(record).toEqual({
      v: 1,
      source: 'send',
      recorded_at: '2026-11-27T10:00:01.250Z',
      event_at: '2026-11-27T10:00:00.000Z',
      account_sid: ACCOUNT,
      message_sid: SID,
      messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
      status: 'accepted',
      error_code: null,
      to: '+14155550123',
      from: null,
      idempotency_token: null,
      tags: { order_id: '42', client_ref: 'r-1' },
      params: resource,
    });
    expect(schemaErrors(record)).toEqual([]);
  });

  it('reads an RFC 2822 date_created and masks every number when redacting, tags included', () => {
    const record = buildSendRecord(
      { ...resource, date_created: 'Fri, 27 Nov 2026 10:00:00 +0000', from: '+15005550006' },
      { callee: '+14155550199' },
      recordedAt,
      4,
    );
    expect(record).toMatchObject({ event_at: '2026-11-27T10:00:00.000Z', to: '+1415555****', from: '+1500555****', tags: { callee: '+1415555****' } });
    expect(record.params).toMatchObject({ to: '+1415555****', from: '+1500555****', body: 'Your code is 1234' });
    expect(JSON.stringify(record)).not.toMatch(/550123|550006|550199/);
  });
});

describe('buildSendErrorRecord', () => {
  const envelope = { accountSid: ACCOUNT, to: '+14155550123', from: '+15005550006', messagingServiceSid: null };
  const request = { to: '+14155550123', from: '+15005550006', body: 'Hi', statusCallback: 'https://x.twil.io/status-callback?client_ref=r-2' };

  it("records the envelope, the attempt time, the tags, the request and Twilio's error, with no SID", () => {
    const record = buildSendErrorRecord(
      envelope,
      request,
      { kind: 'error_response', httpStatus: 400, code: 21211, message: "Invalid 'To' Phone Number", moreInfo: 'https://www.twilio.com/docs/errors/21211' },
      { client_ref: 'r-2' },
      new Date('2026-11-27T10:00:00.000Z'),
      recordedAt,
    );
    expect(record).toMatchObject({
      source: 'send_error',
      message_sid: null,
      event_at: '2026-11-27T10:00:00.000Z',
      recorded_at: '2026-11-27T10:00:01.250Z',
      status: 'send_error',
      error_code: '21211',
      to: '+14155550123',
      from: '+15005550006',
      tags: { client_ref: 'r-2' },
      params: {
        request,
        error: {
          kind: 'error_response',
          http_status: 400,
          code: 21211,
          message: "Invalid 'To' Phone Number",
          more_info: 'https://www.twilio.com/docs/errors/21211',
        },
      },
    });
    expect(schemaErrors(record)).toEqual([]);
  });

  it('records a timeout with no HTTP status or code, and masks numbers everywhere when redacting', () => {
    const record = buildSendErrorRecord(
      envelope,
      request,
      { kind: 'no_response', httpStatus: null, code: null, message: 'ECONNABORTED: timeout of 500ms exceeded', moreInfo: null },
      { client_ref: 'r-3' },
      new Date(),
      recordedAt,
      4,
    );
    expect(record).toMatchObject({ error_code: null, to: '+1415555****', from: '+1500555****', params: { error: { kind: 'no_response', http_status: null } } });
    expect(JSON.stringify(record)).not.toMatch(/550123|550006/);
  });

  it("masks a number Twilio's error text quotes, with redaction on", () => {
    const message = "The 'To' number +14155550123 is not a valid phone number. Tried 14155550123 and whatsapp:+14155550123.";
    const record = buildSendErrorRecord(
      envelope,
      request,
      { kind: 'error_response', httpStatus: 400, code: 21211, message, moreInfo: null },
      { client_ref: 'r-4' },
      new Date(),
      recordedAt,
      4,
    );
    expect((record.params.error as { message: string }).message).toBe(
      "The 'To' number +1415555**** is not a valid phone number. Tried 1415555**** and whatsapp:+1415555****.",
    );
    expect(JSON.stringify(record)).not.toMatch(/550123/);
    // Without redaction the text is kept as Twilio wrote it.
    const kept = buildSendErrorRecord(
      envelope,
      request,
      { kind: 'error_response', httpStatus: 400, code: 21211, message, moreInfo: null },
      { client_ref: 'r-4' },
      new Date(),
      recordedAt,
      0,
    );
    expect((kept.params.error as { message: string }).message).toBe(message);
  });
});

describe('redaction of send records: one walk over every field', () => {
  const numbers = ['+14155550021', '+14155550022', '+14155550023', '+14155550024', '+14155550025'];

  it('masks numbers nested in the resource, glued to a letter, and tags named like a number', () => {
    const record = buildSendRecord(
      { ...resource, extra: { forwarded: ['+14155550021', { via: 'call+14155550022' }] } },
      { '+14155550023': 'named like a number', note: 'abc+14155550024' },
      recordedAt,
      4,
    );
    expect(fullNumbersIn(record, numbers)).toEqual([]);
    expect(record.tags).toEqual({ '+1415555****': 'named like a number', note: 'abc+1415555****' });
    expect(record.params.body).toBe('Your code is 1234');
  });

  it('masks numbers nested in a send_error request and a code that is a number', () => {
    const record = buildSendErrorRecord(
      { accountSid: ACCOUNT, to: '+14155550021', from: null, messagingServiceSid: null },
      { to: '+14155550021', body: 'Hi', persistentAction: ['tel:+14155550022'], statusCallback: 'https://x.twil.io/status-callback?callee=x%2B14155550023' },
      { kind: 'error_response', httpStatus: 400, code: 14155550025, message: 'call+14155550024 refused', moreInfo: null },
      {},
      new Date('2026-11-27T10:00:00.000Z'),
      recordedAt,
      4,
    );
    expect(fullNumbersIn(record, numbers)).toEqual([]);
    expect(record.error_code).toBe('1415555****');
  });
});
