import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { acquireWriterLease, LeaseHeldError } from '../../../src/adapters/archive/writerLease';
import { S3ArchiveStore } from '../../../src/adapters/archive/archiveStore';
import { leaseAbandoned, leaseHeldMessage, newLease, parseLease, WRITER_LEASE_KEY, type WriterLease } from '../../../src/domain/writerLease';

const s3Mock = mockClient(S3Client);
beforeEach(() => s3Mock.reset());

const store = () => new S3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'bkt', 'root/');
const preconditionFailed = () =>
  new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
    message: 'At least one of the pre-conditions you specified did not hold',
  });
// Only what the lease reads of a GetObject answer.
const body = (lease: WriterLease) => ({ Body: { transformToString: async () => JSON.stringify(lease) } as never, ETag: '"old"' });
const NOW = new Date('2026-11-25T10:00:00Z');
const other = (expires: Date, host = 'elsewhere'): WriterLease => ({
  ...newLease({ host, pid: 4242, command: 'poll-stale --append archive', token: 't' }, NOW),
  expires: expires.toISOString(),
});

describe('the writers’ lease on an S3 archive', () => {
  it('is created with If-None-Match: * at the archive root, and released (never deleted) by an expired copy written at its ETag', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"mine"' });
    const held = await acquireWriterLease(store(), 'reconcile --write --append archive', { now: () => NOW });
    await held.release();
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'bkt', Key: `root/${WRITER_LEASE_KEY}`, IfNoneMatch: '*' });
    expect(parseLease(put.Body as string)).toMatchObject({ command: 'reconcile --write --append archive', since: NOW.toISOString() });
    const release = s3Mock.commandCalls(PutObjectCommand)[1].args[0].input;
    expect(release).toMatchObject({ Key: `root/${WRITER_LEASE_KEY}`, IfMatch: '"mine"' });
    expect(parseLease(release.Body as string)).toMatchObject({ expires: NOW.toISOString() });
    expect(s3Mock.calls()).toHaveLength(2);
  });

  it('a 412 PreconditionFailed with a live lease: LeaseHeldError naming the holder, and nothing replaced', async () => {
    const holder = other(new Date(NOW.getTime() + 60_000));
    s3Mock.on(PutObjectCommand).rejects(preconditionFailed());
    s3Mock.on(GetObjectCommand).resolves(body(holder));
    const taking = acquireWriterLease(store(), 'reconcile --write --append archive', { now: () => NOW });
    await expect(taking).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(taking).rejects.toThrow(leaseHeldMessage('s3://bkt/root/', holder));
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('an expired lease is taken over only at the ETag read (If-Match)', async () => {
    s3Mock.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3Mock.on(PutObjectCommand, { IfMatch: '"old"' }).resolves({ ETag: '"mine"' });
    s3Mock.on(PutObjectCommand, { IfMatch: '"mine"' }).resolves({ ETag: '"released"' });
    s3Mock.on(GetObjectCommand).resolves(body(other(new Date(NOW.getTime() - 1))));
    const held = await acquireWriterLease(store(), 'drain-spool', { now: () => NOW });
    expect(held.lease.command).toBe('drain-spool');
    await held.release();
  });
});

describe('when a lease may be taken over', () => {
  const alive = (pid: number) => pid === 1;
  it('not while it holds, on another host, whatever its pid', () => {
    expect(leaseAbandoned(other(new Date(NOW.getTime() + 1)), NOW, 'here', () => false)).toBe(false);
  });
  it('once expired, or unreadable', () => {
    expect(leaseAbandoned(other(NOW), NOW, 'here', alive)).toBe(true);
    expect(leaseAbandoned(parseLease('{"host":'), NOW, 'here', alive)).toBe(true);
  });
  it('at once when its holder on this host has ended', () => {
    const lease = { ...other(new Date(NOW.getTime() + 60_000), 'here'), pid: 2 };
    expect(leaseAbandoned(lease, NOW, 'here', alive)).toBe(true);
    expect(leaseAbandoned({ ...lease, pid: 1 }, NOW, 'here', alive)).toBe(false);
  });
});
