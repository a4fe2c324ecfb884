import { parseRawDlrDoneDate } from '../../../src/domain/rawDlrDoneDate';

describe('parseRawDlrDoneDate', () => {
  it('reads YYMMDDhhmm as a UTC minute', () => {
    expect(parseRawDlrDoneDate('2411261530')).toBe('2024-11-26T15:30:00.000Z');
  });

  it('reads the seconds some carriers add', () => {
    expect(parseRawDlrDoneDate('241126153045')).toBe('2024-11-26T15:30:45.000Z');
  });

  it('accepts a leap day and the last minute of a year', () => {
    expect(parseRawDlrDoneDate('2402292359')).toBe('2024-02-29T23:59:00.000Z');
    expect(parseRawDlrDoneDate('2612312359')).toBe('2026-12-31T23:59:00.000Z');
  });

  it.each([
    ['impossible day', '2302291200'],
    ['month 13', '2413011200'],
    ['hour 24', '2411262400'],
    ['minute 60', '2411261260'],
    ['day 0', '2411001200'],
    ['too short', '24112615'],
    ['letters', '24112615ab'],
    ['an ISO date', '2024-11-26T15:30:00Z'],
    ['empty', ''],
  ])('returns null for %s', (_what, raw) => {
    expect(parseRawDlrDoneDate(raw)).toBeNull();
  });

  it('returns null when absent', () => {
    expect(parseRawDlrDoneDate(undefined)).toBeNull();
    expect(parseRawDlrDoneDate(null)).toBeNull();
  });
});
