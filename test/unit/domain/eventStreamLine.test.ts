import { objectKeyTime } from '../../../src/domain/archiveLayout';
import { parseCloudEventLine } from '../../../src/domain/eventStreamLine';
import { inboundMessageEvent, messageStatusEvent } from '../../../dev/eventStreamSamples';
import { ACCOUNT_SID, MESSAGE_SID } from '../../helpers/callbacks';

const at = new Date('2026-11-27T10:00:01.000Z');
const arrived = new Date('2026-11-27T10:00:07.000Z');

describe("the Kinesis path's lines", () => {
  it('reads a CloudEvent as the /event-stream Function would have archived it, the object time as recorded_at', () => {
    const event = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, status: 'delivered', at, id: 'EZ1' });
    const parsed = parseCloudEventLine(JSON.stringify(event), arrived, 0);
    expect(parsed).toMatchObject({
      ok: true,
      facts: { source: 'event_stream', status: 'delivered', message_sid: MESSAGE_SID, recorded_at: arrived.toISOString(), to: '+14155550101' },
    });
  });

  it('masks the numbers as it reads, when redaction is on: the objects hold them as Twilio sent them', () => {
    const parsed = parseCloudEventLine(JSON.stringify(inboundMessageEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, at })), arrived, 4);
    expect(parsed).toMatchObject({ ok: true, facts: { status: 'received', to: '+1500555****' } });
    expect(JSON.stringify(parsed)).not.toMatch(/4155550142|5005550006/);
  });

  it('takes a line that is not JSON for malformed, and an event of another type for a flagged record, as anywhere', () => {
    expect(parseCloudEventLine('{"specversion":"1.0",', arrived, 0)).toEqual({ ok: false, reason: 'not JSON' });
    const other = parseCloudEventLine(JSON.stringify({ type: 'com.twilio.voice.status', id: 'EZ2', data: {} }), arrived, 0);
    expect(other).toMatchObject({ ok: true, facts: null, problems: [expect.stringContaining('com.twilio.voice.status')] });
  });

  it("falls back to the event's own time when the key names none, and refuses a line with neither", () => {
    const event = messageStatusEvent({ accountSid: ACCOUNT_SID, messageSid: MESSAGE_SID, status: 'sent', at });
    expect(parseCloudEventLine(JSON.stringify(event), null, 0)).toMatchObject({ ok: true, facts: { recorded_at: at.toISOString() } });
    expect(parseCloudEventLine(JSON.stringify({ ...event, data: {} }), null, 0)).toMatchObject({ ok: false });
  });

  it('reads the time Firehose names an object by, and nothing from a key that names none or an impossible one', () => {
    expect(objectKeyTime('events/2026/11/27/10/archive-events-1-2026-11-27-10-00-07-8c1d0e0a-1111-2222-3333-444455556666.gz')).toEqual(arrived);
    expect(objectKeyTime('events/2026/11/27/10/something-else')).toBeNull();
    expect(objectKeyTime('events/x-1-2026-02-30-10-00-07-uuid')).toBeNull();
  });
});
