import { DeliveryBuffer } from '../../../dev/firehose/deliveryBuffer';
import type { DeliveryDestination } from '../../../dev/firehose/destinations';

/** A destination that fails its first `failures` puts, then stores. */
function flakyDestination(failures: number) {
  const stored: { key: string; body: string }[] = [];
  let calls = 0;
  const destination: DeliveryDestination = {
    description: 'memory',
    async put(key, body) {
      calls++;
      if (calls <= failures) throw new Error('S3 is down');
      stored.push({ key, body: body.toString('utf8') });
    },
  };
  return { destination, stored, calls: () => calls };
}

const at = new Date('2026-11-26T15:04:05.000Z');

describe('DeliveryBuffer', () => {
  it('keeps a chunk whose delivery failed and delivers it on a later flush, in order', async () => {
    const flaky = flakyDestination(1);
    const errors: number[] = [];
    const buffer = new DeliveryBuffer({
      streamName: 's',
      prefix: 'firehose/',
      hints: { sizeBytes: 1 << 20, intervalMs: 60_000 },
      gzip: false,
      destination: flaky.destination,
      now: () => at,
      onDeliveryError: (_e, records) => errors.push(records),
    });
    buffer.add(Buffer.from('a\n'));
    buffer.add(Buffer.from('b\n'));
    await buffer.flush();
    expect(errors).toEqual([2]);
    expect(buffer.pendingRecords).toBe(2);
    buffer.add(Buffer.from('c\n'));
    await buffer.flush();
    buffer.close();
    expect(flaky.stored.map((o) => o.body)).toEqual(['a\nb\n', 'c\n']);
    expect(flaky.stored[0].key).toMatch(/^firehose\/2026\/11\/26\/15\/s-1-2026-11-26-15-04-05-/);
    expect(buffer.pendingRecords).toBe(0);
  });

  it('hands over what it could not deliver, so that nothing taken is dropped', async () => {
    const flaky = flakyDestination(Infinity);
    const buffer = new DeliveryBuffer({
      streamName: 's',
      prefix: '',
      hints: { sizeBytes: 1 << 20, intervalMs: 60_000 },
      gzip: true,
      destination: flaky.destination,
      now: () => at,
    });
    buffer.add(Buffer.from('kept\n'));
    await buffer.flush();
    buffer.close();
    const [left] = buffer.takeUndelivered();
    expect(left.records).toBe(1);
    expect(left.key).toMatch(/\.gz$/);
    expect((await import('node:zlib')).gunzipSync(left.body).toString()).toBe('kept\n');
  });
});
