import { parseArchiveLine } from '../../../src/domain/archiveLine';
import { toArchiveLine } from '../../../src/domain/archiveRecord';
import { buildDebuggerRecord } from '../../../src/domain/debuggerRecord';
import { schemaErrors } from '../../helpers/archiveSchema';
import { fullNumbersIn } from '../../helpers/fullNumbers';
import { ACCOUNT_SID, MESSAGE_SID, SERVICE_SID } from '../../helpers/callbacks';

const recordedAt = new Date('2026-11-27T10:00:05.000Z');

/** An alert as Twilio's Debugger webhook posts it: form parameters, the payload as JSON text. */
function alert(payload: unknown = {}, overrides: Record<string, string> = {}): Record<string, unknown> {
  return {
    Sid: 'NO0123456789abcdef0123456789abcdef',
    AccountSid: ACCOUNT_SID,
    ParentAccountSid: '',
    Timestamp: '2026-11-27T10:00:01Z',
    Level: 'ERROR',
    PayloadType: 'application/json',
    Payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    request: { headers: {}, cookies: {} },
    ...overrides,
  };
}

const messagePayload = {
  resource_sid: MESSAGE_SID,
  service_sid: SERVICE_SID,
  error_code: '30003',
  more_info: { To: '+14155550101', Msg: 'Unreachable destination handset' },
  webhook: { request: { url: 'https://example.com/status?to=14155550101' } },
};

function checked(event: Record<string, unknown>, redactDigits = 0) {
  const record = buildDebuggerRecord(event, { recordedAt, redactDigits });
  expect(schemaErrors(record)).toEqual([]);
  return { record, line: parseArchiveLine(toArchiveLine(record).trimEnd()) };
}

describe('Debugger alerts as records', () => {
  it('archives an alert about a message: its SID, error code and time, status null, and the readers take it as an alert, not a status', () => {
    const { record, line } = checked({ ...alert(messagePayload), ticket: 't-9' });
    expect(record).toMatchObject({
      source: 'debugger',
      event_at: '2026-11-27T10:00:01.000Z',
      account_sid: ACCOUNT_SID,
      message_sid: MESSAGE_SID,
      messaging_service_sid: SERVICE_SID,
      status: null,
      error_code: '30003',
      idempotency_token: 'NO0123456789abcdef0123456789abcdef',
      tags: { ticket: 't-9' },
    });
    expect(record.problems).toBeUndefined();
    expect(record.params.Payload).toBe(JSON.stringify(messagePayload));
    expect(line).toMatchObject({ ok: true, facts: null, alert: { message_sid: MESSAGE_SID, error_code: '30003' } });
  });

  it('takes a numeric error code as text, and names no message for an alert about another resource, without a problem', () => {
    const { record, line } = checked(alert({ resource_sid: 'CA0123456789abcdef0123456789abcdef', error_code: 11200 }));
    expect(record).toMatchObject({ message_sid: null, error_code: '11200' });
    expect(record.problems).toBeUndefined();
    expect(line).toMatchObject({ ok: true, alert: { message_sid: null } });
  });

  it('masks every number in the payload text and the parameters when redaction is on', () => {
    const { record } = checked(alert(messagePayload), 4);
    const text = JSON.stringify(record);
    expect(text).not.toMatch(/4155550101/);
    expect(record.params.Payload).toContain('+1415555****');
    expect(record.params.Payload).toContain('to=1415555****');
  });

  it('masks letter-glued numbers in parameters, nested values and tag names', () => {
    const event = { ...alert(messagePayload, { Note: 'call+14155550025' }), request: { headers: { 'x-callee': 'abc+14155550024' } }, '+14155550028': 't' };
    const { record } = checked(event, 4);
    expect(fullNumbersIn(record, ['+14155550024', '+14155550025', '+14155550028', '+14155550101'])).toEqual([]);
    expect(record.tags).toEqual({ '+1415555****': 't' });
    expect(record.error_code).toBe('30003');
  });

  it('archives an odd alert whole, with problems: a payload that is not JSON, no time, no account', () => {
    const { record, line } = checked(alert('not json {', { Timestamp: '', AccountSid: 'nope' }));
    expect(record.problems).toEqual(['AccountSid is not an account SID: the field is left null', 'Timestamp is missing', 'Payload is not JSON: kept as text']);
    expect(record.params.Payload).toBe('not json {');
    // No account: kept, counted, attributable to nothing.
    expect(line).toMatchObject({ ok: true, facts: null, problems: record.problems });
  });

  it('refuses, as a reader, a debugger line that claims a status', () => {
    const record = { ...buildDebuggerRecord(alert(messagePayload), { recordedAt }), status: 'failed' };
    expect(parseArchiveLine(JSON.stringify(record))).toEqual({ ok: false, reason: 'status is not null in a debugger record' });
    expect(schemaErrors(record)).not.toEqual([]);
  });
});
