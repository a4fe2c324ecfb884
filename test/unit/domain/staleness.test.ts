import { MessageStates, NOT_FOUND_STATUS } from '../../../src/domain/messageState';
import { classifyMessage } from '../../../src/domain/staleness';

const SID = 'SM0123456789abcdef0123456789abcdef';
const now = new Date('2026-11-26T12:00:00.000Z');
const criteria = { now, olderThanMs: 12 * 3_600_000, since: new Date('2026-11-20T00:00:00.000Z') };

function stateOf(...records: [source: 'send' | 'callback' | 'poll', status: string, recordedAt: string][]) {
  const states = new MessageStates();
  for (const [source, status, recorded_at] of records) {
    states.fold({
      source,
      status,
      recorded_at,
      event_at: source === 'send' ? recorded_at : null,
      account_sid: 'AC1',
      message_sid: SID,
      error_code: null,
    });
  }
  return states.get(SID)!;
}

describe('classifyMessage', () => {
  it('calls a non-final message silent for 12 hours stale, and one heard of recently fresh', () => {
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-25T23:59:59.000Z']), criteria)).toBe('stale');
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-26T00:00:01.000Z']), criteria)).toBe('fresh');
  });

  it('counts the newest record, so a recent poll that found it pending makes it fresh again', () => {
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-25T00:00:00.000Z'], ['poll', 'sent', '2026-11-26T11:00:00.000Z']), criteria)).toBe('fresh');
  });

  it('leaves final messages, not-found ones and those created outside the window alone', () => {
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-25T00:00:00.000Z'], ['callback', 'delivered', '2026-11-25T00:00:05.000Z']), criteria)).toBe(
      'final',
    );
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-25T00:00:00.000Z'], ['poll', NOT_FOUND_STATUS, '2026-11-25T13:00:00.000Z']), criteria)).toBe(
      'not_found',
    );
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-19T00:00:00.000Z']), criteria)).toBe('out_of_window');
    expect(classifyMessage(stateOf(['send', 'queued', '2026-11-25T00:00:00.000Z']), { ...criteria, until: new Date('2026-11-24T00:00:00.000Z') })).toBe(
      'out_of_window',
    );
  });
});
