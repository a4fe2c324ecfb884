import type { ArchiveRecord } from '../../../src/domain/archiveRecord';
import { matchesQuery, messageStory, type FoundRecord } from '../../../src/domain/messageHistory';
import { ACCOUNT_SID, MESSAGE_SID } from '../../helpers/callbacks';

function rec(source: ArchiveRecord['source'], status: string | null, recordedAt: string, extra: Partial<ArchiveRecord> = {}): Record<string, unknown> {
  return {
    v: 1,
    source,
    recorded_at: recordedAt,
    event_at: null,
    account_sid: ACCOUNT_SID,
    message_sid: MESSAGE_SID,
    messaging_service_sid: null,
    status,
    error_code: null,
    to: '+1415555****',
    from: null,
    idempotency_token: null,
    tags: {},
    params: {},
    ...extra,
  };
}

let line = 0;
const at = (record: Record<string, unknown>, key = 'firehose/2026/11/25/10/s-1-2026-11-25-10-00-00-a'): FoundRecord => ({ key, line: ++line, record });

describe("a message's story", () => {
  it('orders every record, and says which decided the final status, and why', () => {
    const story = messageStory(MESSAGE_SID, [
      at(rec('callback', 'delivered', '2026-11-25T10:05:03.000Z', { event_at: '2026-11-25T10:05:00.000Z' })),
      at(rec('send', 'queued', '2026-11-25T10:00:01.000Z', { event_at: '2026-11-25T10:00:00.000Z', tags: { client_ref: 'r-1' } })),
      // Late and out of order: a lower status recorded after the deciding one.
      at(rec('callback', 'sent', '2026-11-25T10:07:00.000Z', { event_at: '2026-11-25T10:01:00.000Z' })),
      at(rec('callback', 'delivered', '2026-11-25T10:05:04.000Z', { event_at: '2026-11-25T10:05:00.000Z' })),
    ]);
    expect(story.entries.map((e) => e.status)).toEqual(['queued', 'sent', 'delivered', 'delivered']);
    expect(story.outcome).toMatchObject({ status: 'delivered', final: true, created_at: '2026-11-25T10:00:00.000Z' });
    expect(story.rules[0]).toMatch(
      /^Final status `delivered` \(rank 4\) from the callback record of 2026-11-25 10:05:00 UTC \(firehose\/.*:\d\), which ranks above `queued` \(1\), `sent` \(3\); 1 other record\(s\) say `delivered` too/,
    );
    expect(story.rules).toContain('`delivered` is final: the message will not move again (but for a later `read`).');
    expect(story.rules).toContain(
      'Records arrived out of order (a lower status recorded after a higher one): the rules order by status, not by arrival, so that changes nothing.',
    );
    expect(story.rules).toContain('1 record(s) repeat an earlier one (Twilio and Firehose deliver at least once): they change nothing.');
    expect(story.entries[3].notes[0]).toMatch(/^a duplicate of firehose\/.*:\d+ \(delivered again\): changes nothing$/);
  });

  it('says where the error code came from when a later record has none, and that a tie at rank is decided by time', () => {
    const story = messageStory(MESSAGE_SID, [
      at(rec('callback', 'undelivered', '2026-11-25T10:05:00.000Z', { event_at: '2026-11-25T10:04:00.000Z', error_code: '30003' })),
      at(rec('poll', 'failed', '2026-11-25T22:00:00.000Z', { event_at: '2026-11-25T21:00:00.000Z' })),
    ]);
    expect(story.outcome).toMatchObject({ status: 'failed', error_code: '30003' });
    expect(story.rules[0]).toMatch(/it ties at rank 4 with `undelivered` and wins as the later/);
    expect(story.rules).toContainEqual(
      expect.stringMatching(
        /^Error code 30003 \(Unreachable destination handset\) kept from the callback record of 2026-11-25 10:04:00 UTC .* \(`undelivered`\): the latest record that had a code decides it, and a later record without one never erases it\.$/,
      ),
    );
  });

  it('shows alerts, not-found polls, corrections and flagged records for what they are', () => {
    const story = messageStory(MESSAGE_SID, [
      at(rec('send', 'queued', '2026-11-25T10:00:01.000Z', { event_at: '2026-11-25T10:00:00.000Z' })),
      at(rec('debugger', null, '2026-11-25T10:02:00.000Z', { event_at: '2026-11-25T10:01:30.000Z', error_code: '30005', to: null })),
      at(rec('poll', 'not_found', '2026-11-25T23:00:00.000Z')),
      at(rec('reconcile', 'undelivered', '2026-11-26T06:00:00.000Z', { error_code: '30005' })),
      at(rec('callback', null, '2026-11-25T10:03:00.000Z', { problems: ['MessageStatus is missing'] })),
    ]);
    const notes = Object.fromEntries(story.entries.map((e) => [e.source, e.notes.join(' | ')]));
    expect(notes.debugger).toBe('a Debugger alert (error 30005 (Unknown destination handset)): evidence, never a status');
    expect(notes.callback).toBe('flagged by its writer: MessageStatus is missing | names no status or account: kept, folded into nothing');
    expect(story.outcome).toMatchObject({ status: 'undelivered', error_code: '30005', final: true });
    expect(story.rules).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 Debugger alert\(s\)/),
        expect.stringMatching(/^1 poll\(s\) found no such message at Twilio/),
        expect.stringMatching(/^1 correction\(s\) appended by the daily reconciliation/),
      ]),
    );
  });

  it('says a message that is not final is not, and what happens next', () => {
    const story = messageStory(MESSAGE_SID, [at(rec('callback', 'sent', '2026-11-25T10:01:00.000Z'))]);
    expect(story.rules[1]).toMatch(/^`sent` is not final: the stale poller asks Twilio/);
  });
});

describe('finding a message', () => {
  const record = rec('send', 'queued', '2026-11-25T10:00:01.000Z', { tags: { client_ref: 'r-7', order_id: ['o-1', 'o-2'] } });
  it('by SID, client reference, tag (one of several values) and a full number against a redacted one', () => {
    expect(matchesQuery(record, { kind: 'sid', sid: MESSAGE_SID })).toBe(true);
    expect(matchesQuery(record, { kind: 'client_ref', ref: 'r-7' })).toBe(true);
    expect(matchesQuery(record, { kind: 'tag', name: 'order_id', value: 'o-2' })).toBe(true);
    expect(matchesQuery(record, { kind: 'to', number: '+14155550101' })).toBe(true);
    expect(matchesQuery(record, { kind: 'to', number: '+14155560101' })).toBe(false);
    expect(matchesQuery(record, { kind: 'client_ref', ref: 'r-8' })).toBe(false);
  });
});
