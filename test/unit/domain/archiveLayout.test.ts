import { directObjectKey, fallbackObjectKey, firehoseObjectKey, hourFolder, keyPrefixProblem } from '../../../src/domain/archiveLayout';

describe('archive layout', () => {
  const at = new Date('2026-01-02T03:04:05.678Z');

  it('names hour folders in UTC', () => {
    expect(hourFolder(at)).toBe('2026/01/02/03/');
    expect(hourFolder(new Date('2026-12-31T23:59:59.999-05:00'))).toBe('2027/01/01/04/');
  });

  it('names objects as Firehose does', () => {
    const key = firehoseObjectKey({ prefix: 'firehose/', streamName: 's', streamVersion: 1, oldestArrival: at, uuid: 'u-1', gzip: false });
    expect(key).toBe('firehose/2026/01/02/03/s-1-2026-01-02-03-04-05-u-1');
    expect(firehoseObjectKey({ prefix: '', streamName: 's', streamVersion: 3, oldestArrival: at, uuid: 'u', gzip: true })).toBe(
      '2026/01/02/03/s-3-2026-01-02-03-04-05-u.gz',
    );
  });

  it('puts fallback objects in the same hour folders under their own prefix', () => {
    expect(fallbackObjectKey('fallback/', 's', at, 'u')).toBe('fallback/2026/01/02/03/s-fallback-2026-01-02-03-04-05-u');
  });

  it('finds what could take a key prefix outside the archive root', () => {
    for (const ok of ['', 'firehose/', 'a/b/', 'v1.2/..x/', 'firehose/2026/01/02/03/s-1-x']) expect(keyPrefixProblem(ok)).toBeNull();
    expect(keyPrefixProblem('../outside/')).toBe('a ".." segment');
    expect(keyPrefixProblem('r/../../x/')).toBe('a ".." segment');
    expect(keyPrefixProblem('./a/')).toBe('a "." segment');
    expect(keyPrefixProblem('a//b/')).toMatch(/^an empty segment/);
    expect(keyPrefixProblem('/a/')).toMatch(/^an empty segment/);
    expect(keyPrefixProblem('a\\..\\b/')).toBe('a backslash');
  });

  it('builds no key under a prefix that could point outside the archive', () => {
    expect(() => fallbackObjectKey('../../outside/', 's', at, 'u')).toThrow(/has a "\.\." segment/);
    expect(() => directObjectKey('direct/../../', 'poll', at, 'u')).toThrow(RangeError);
    expect(() => firehoseObjectKey({ prefix: './', streamName: 's', streamVersion: 1, oldestArrival: at, uuid: 'u', gzip: false })).toThrow(RangeError);
  });
});
