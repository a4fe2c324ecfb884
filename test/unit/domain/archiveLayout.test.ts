import { fallbackObjectKey, firehoseObjectKey, hourFolder } from '../../../src/domain/archiveLayout';

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
});
