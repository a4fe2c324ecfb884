import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Twilio } from 'twilio';
import type { ArchiveRecord } from '../../../src/domain/archiveRecord';
import { RecordedSender } from '../../../src/sender';
import { schemaErrors } from '../../helpers/archiveSchema';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const SID = 'SM0123456789abcdef0123456789abcdef';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sender-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A client whose create answers `answer`, counting the calls. */
function clientAnswering(answer: unknown): { client: Twilio; creates: () => number } {
  let creates = 0;
  const client = { accountSid: ACCOUNT, messages: { create: async () => (creates++, answer) } } as unknown as Twilio;
  return { client, creates: () => creates };
}

describe('RecordedSender, once Twilio has returned a SID', () => {
  it('keeps the SID even when the full record cannot be built from the answer, and resolves', async () => {
    // No toJSON(): resourceOf() throws on it.
    const { client, creates } = clientAnswering({ sid: SID, accountSid: ACCOUNT, status: 'queued' });
    const lines: string[] = [];
    const sender = new RecordedSender({
      client,
      functionUrl: 'https://a-1-prod.twil.io/status-callback',
      archive: { write: async (line) => (lines.push(line), { destination: 'firehose', attempts: 1, reference: 'r' }) },
      spoolDir: dir,
    });
    const result = await sender.send({ to: '+14155550101', from: '+15005550006' }, { clientRef: 'c-1' });
    expect(result.recorded).toBe('archive');
    expect(creates()).toBe(1);
    const record = JSON.parse(lines[0]) as ArchiveRecord;
    expect(record).toMatchObject({ source: 'send', message_sid: SID, account_sid: ACCOUNT, status: null, tags: { client_ref: 'c-1' } });
    expect(record.problems).toEqual([expect.stringMatching(/^the full record could not be built: /)]);
    expect(schemaErrors(record)).toEqual([]);
  });

  it('resolves with recorded "spool" when the archive throws, and the spool holds the line', async () => {
    const { client } = clientAnswering({
      sid: SID,
      accountSid: ACCOUNT,
      status: 'queued',
      toJSON: () => ({ sid: SID, accountSid: ACCOUNT, status: 'queued', dateCreated: new Date() }),
    });
    const sender = new RecordedSender({
      client,
      functionUrl: 'https://a-1-prod.twil.io/status-callback',
      archive: {
        write: async () => {
          throw new Error('boom');
        },
      },
      spoolDir: dir,
    });
    await expect(sender.send({ to: '+14155550101', from: '+15005550006' })).resolves.toMatchObject({ recorded: 'spool' });
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
