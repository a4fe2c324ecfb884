import { exportDateToIso, matchesDirection, normalizeTwilioRow } from '../../../src/domain/reconcile/twilioRow';

const SID = 'SM0123456789abcdef0123456789abcdef';

describe('normalizeTwilioRow', () => {
  it('reads the Console CSV column names, case-insensitively, BOM and all', () => {
    const result = normalizeTwilioRow({
      '\uFEFFSid': SID,
      STATUS: 'Delivered',
      To: '+14155550101',
      From: '+15005550006',
      SentDate: '2026-11-26T10:00:05-05:00',
      ErrorCode: '',
      Direction: 'outbound-api',
      AccountSid: 'AC1',
      NumSegments: '1',
    });
    expect(result).toEqual({
      ok: true,
      row: {
        sid: SID,
        accountSid: 'AC1',
        status: 'delivered',
        direction: 'outbound-api',
        to: '+14155550101',
        from: '+15005550006',
        dateCreated: null,
        dateSent: '2026-11-26T15:00:05.000Z',
        errorCode: null,
        messagingServiceSid: null,
      },
    });
  });

  it("reads the API's snake_case names and RFC 2822 dates", () => {
    const result = normalizeTwilioRow({
      sid: SID,
      status: 'undelivered',
      error_code: 30003,
      date_created: 'Thu, 26 Nov 2026 10:00:00 +0000',
      messaging_service_sid: 'MG1',
    });
    expect(result.ok && result.row).toMatchObject({
      status: 'undelivered',
      errorCode: '30003',
      dateCreated: '2026-11-26T10:00:00.000Z',
      messagingServiceSid: 'MG1',
    });
  });

  it.each([
    [{ status: 'sent' }, /no message SID/],
    [{ sid: 'SMnope', status: 'sent' }, /not a message SID/],
    [{ sid: SID }, /no status/],
    [{ sid: SID, status: 'sent', date_created: 'yesterday-ish' }, /not a date/],
  ])('refuses %j, saying why', (raw, reason) => {
    const result = normalizeTwilioRow(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });
});

describe('exportDateToIso', () => {
  it('reads a date-time without a zone as UTC', () => {
    expect(exportDateToIso('2026-11-26 10:00:00')).toBe('2026-11-26T10:00:00.000Z');
  });

  it('takes a canonical ISO time as it is, and refuses one that is no real calendar time', () => {
    expect(exportDateToIso('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(exportDateToIso(' 2026-11-26T10:00:05.123Z ')).toBe('2026-11-26T10:00:05.123Z');
    for (const bad of [
      '2026-02-30 10:00:00',
      '2026-02-30',
      '2026-02-29T10:00:00.000Z',
      '2026-11-31T10:00:00.000Z',
      '2026-13-01T10:00:00.000Z',
      '2026-11-26T24:00:00.000Z',
      '2026-11-26T10:60:00.000Z',
    ]) {
      expect(exportDateToIso(bad)).toBeUndefined();
    }
    expect(exportDateToIso('Fri, 27 Nov 2026 10:00:00 +0000')).toBe('2026-11-27T10:00:00.000Z');
  });
});

describe('normalizeTwilioRow, columns', () => {
  it('prefers the first alias and skips empty duplicates, whatever the column order', () => {
    const result = normalizeTwilioRow({ MessageSid: 'SM' + 'f'.repeat(32), sid: SID, status: '', MessageStatus: 'sent', Status: '  ' });
    expect(result).toMatchObject({ ok: true, row: { sid: SID, status: 'sent' } });
  });
});

describe('matchesDirection', () => {
  const base = normalizeTwilioRow({ sid: SID, status: 'sent' });
  if (!base.ok) throw new Error(base.reason);
  const row = (direction: string | null) => ({ ...base.row, direction });
  it('tells outbound from inbound, and keeps rows whose direction is unknown', () => {
    expect(matchesDirection(row('outbound-api'), 'outbound')).toBe(true);
    expect(matchesDirection(row('outbound-reply'), 'inbound')).toBe(false);
    expect(matchesDirection(row('inbound'), 'inbound')).toBe(true);
    expect(matchesDirection(row(null), 'outbound')).toBe(true);
  });
});
