import { availableParallelism } from 'node:os';
import { dayOption, instantOption, threadsHelp, threadsOption, UsageError } from '../../../src/cli/command';

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

describe('--threads', () => {
  it('takes a whole number of threads, by default one per core up to 4, and refuses anything else', () => {
    expect(threadsOption('1')).toBe(1);
    expect(threadsOption('6')).toBe(6);
    expect(threadsOption(undefined)).toBe(Math.min(availableParallelism(), 4));
    for (const bad of ['0', '-2', '1.5', 'two', '']) expect(() => threadsOption(bad)).toThrow(/^--threads must be a whole number ≥ 1/);
  });

  it('is described in the help at the column asked for', () => {
    const lines = threadsHelp(24).split('\n');
    expect(lines[0]).toMatch(/^ {2}--threads <n> {9}Threads that read/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {24}\S/);
  });
});
