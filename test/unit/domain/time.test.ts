import { isArchiveInstant, parseIsoInstant, parseUtcDay, toIsoUtc } from '../../../src/domain/time';

describe('parseUtcDay', () => {
  it('reads a real calendar day as its midnight UTC, leap days included', () => {
    expect(parseUtcDay('2026-11-25').toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(parseUtcDay('2028-02-29').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-02-29', '2026-13-01', '2026-04-31', '2026-00-10', '2026-01-00'])('refuses %s, which Date.parse would roll over', (day) => {
    expect(() => parseUtcDay(day)).toThrow(/not a day of the calendar/);
  });

  it.each(['2026-1-5', '20261125', '2026-11-25T00:00:00Z', '3', ''])('refuses %j, which is not YYYY-MM-DD', (text) => {
    expect(() => parseUtcDay(text)).toThrow(/YYYY-MM-DD/);
  });
});

describe('parseIsoInstant', () => {
  it.each([
    ['2026-11-25T06:00:00Z', '2026-11-25T06:00:00.000Z'],
    ['2026-11-25T06:00Z', '2026-11-25T06:00:00.000Z'],
    ['2026-11-25T06:00:00.123456Z', '2026-11-25T06:00:00.123Z'],
    ['2026-11-25T08:00:00+02:00', '2026-11-25T06:00:00.000Z'],
    ['2026-11-25T01:30-0500', '2026-11-25T06:30:00.000Z'],
    ['2026-11-25t06:00:00z', '2026-11-25T06:00:00.000Z'],
  ])('reads %s', (text, iso) => expect(parseIsoInstant(text).toISOString()).toBe(iso));

  it.each(['2026-11-25', '2026-11-25T06:00:00', '3', '3d', 'yesterday', '2026-11-25 06:00:00Z'])('refuses %j: no zone, or not ISO-8601', (text) => {
    expect(() => parseIsoInstant(text)).toThrow(/not an ISO-8601 time with Z or an offset/);
  });

  it.each(['2026-02-30T00:00:00Z', '2026-11-25T24:00:00Z', '2026-11-25T23:60:00Z', '2026-11-25T23:59:60Z'])('refuses %s, out of the calendar', (text) => {
    expect(() => parseIsoInstant(text)).toThrow(/not a time of the calendar/);
  });

  it('refuses an offset out of range', () => expect(() => parseIsoInstant('2026-11-25T06:00:00+24:00')).toThrow(/offset out of range/));
});

describe('isArchiveInstant', () => {
  it.each([
    '2026-11-25T10:00:00.000Z',
    '2026-11-25T10:00:00Z',
    '2028-02-29T00:00:00.1Z',
    '2000-02-29T23:59:59Z',
    '0099-01-01T00:00:00.000Z',
    '2026-04-30T10:00:00Z',
  ])('takes %s', (text) => {
    expect(isArchiveInstant(text)).toBe(true);
  });

  it.each([
    '2026-11-25T25:61:61.000Z',
    '2026-11-25T24:00:00.000Z',
    '2026-11-25T23:59:60.000Z',
    '2026-13-01T10:00:00.000Z',
    '2026-11-00T10:00:00.000Z',
    '2026-02-31T10:00:00.000Z',
    '2026-02-29T10:00:00.000Z',
    '1900-02-29T10:00:00.000Z',
    '2026-04-31T10:00:00.000Z',
    '2026-11-25T10:00:00.0000Z',
    '2026-11-25T10:00:00+00:00',
    '2026-11-25 10:00:00Z',
  ])('refuses %s', (text) => {
    expect(isArchiveInstant(text)).toBe(false);
  });
});

describe('toIsoUtc', () => {
  it('refuses an impossible ISO day or clock instead of rolling it over', () => {
    expect(toIsoUtc('2026-02-31T10:00:00.000Z')).toBeNull();
    expect(toIsoUtc('2026-11-25T25:00:00.000Z')).toBeNull();
    expect(toIsoUtc('2026-11-25T10:00:00.123456789Z')).toBe('2026-11-25T10:00:00.123Z');
    expect(toIsoUtc('Fri, 24 May 2019 17:44:46 +0000')).toBe('2019-05-24T17:44:46.000Z');
  });
});
