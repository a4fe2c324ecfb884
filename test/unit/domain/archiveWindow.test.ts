import { hourFoldersBetween } from '../../../src/domain/archiveWindow';
import { parseDuration } from '../../../src/domain/time';

describe('hourFoldersBetween', () => {
  it('lists every UTC hour folder the window touches, both ends included', () => {
    expect(hourFoldersBetween(new Date('2026-11-26T22:59:59Z'), new Date('2026-11-27T01:00:00Z'))).toEqual([
      '2026/11/26/22/',
      '2026/11/26/23/',
      '2026/11/27/00/',
      '2026/11/27/01/',
    ]);
  });

  it('lists one folder for a window inside an hour, none for an inverted one', () => {
    expect(hourFoldersBetween(new Date('2026-11-26T10:10:00Z'), new Date('2026-11-26T10:20:00Z'))).toEqual(['2026/11/26/10/']);
    expect(hourFoldersBetween(new Date('2026-11-26T10:20:00Z'), new Date('2026-11-26T10:10:00Z'))).toEqual([]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['12h', 43_200_000],
    ['90m', 5_400_000],
    ['2d', 172_800_000],
    ['45s', 45_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['12', 'h', '-1h', '12 hours', ''])('refuses %j', (text) => expect(() => parseDuration(text)).toThrow(/not a duration/));
});
