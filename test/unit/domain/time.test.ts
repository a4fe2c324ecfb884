import { parseIsoInstant, parseUtcDay } from '../../../src/domain/time';

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
