import { dayOption, instantOption, UsageError } from '../../../src/cli/command';

const NOW = new Date('2026-11-27T12:00:00Z');

describe('command-line times', () => {
  it('takes a duration as that long before now, and an ISO time with a zone as itself', () => {
    expect(instantOption('3d', 'since', NOW).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(instantOption('90m', 'since', NOW).toISOString()).toBe('2026-11-27T10:30:00.000Z');
    expect(instantOption('2026-11-25T06:00:00+01:00', 'since', NOW).toISOString()).toBe('2026-11-25T05:00:00.000Z');
  });

  it('refuses a forgotten unit, naming the option and showing the accepted forms', () => {
    expect(() => instantOption('3', 'since', NOW)).toThrow(UsageError);
    expect(() => instantOption('3', 'since', NOW)).toThrow(/^--since: "3" is not an ISO-8601 time with Z or an offset; give 2026-11-25T06:00:00Z, .*3d, 12h/);
  });

  it('refuses a zoneless time and a bare date as instants', () => {
    expect(() => instantOption('2026-11-25T06:00:00', 'from', NOW)).toThrow(/--from: .*Z or an offset/);
    expect(() => instantOption('2026-11-25', 'from', NOW)).toThrow(/--from: .*Z or an offset/);
  });

  it('refuses a day that is not on the calendar', () => {
    expect(dayOption('2026-02-28', 'day').toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(() => dayOption('2026-02-30', 'day')).toThrow(/^--day: 2026-02-30 is not a day of the calendar$/);
  });
});
