import { parseArchiveLine } from '../../../src/domain/archiveLine';
import { toArchiveLine, type ArchiveRecord } from '../../../src/domain/archiveRecord';
import { ACCOUNT_SID, MESSAGE_SID } from '../../helpers/callbacks';

const record: ArchiveRecord = {
  v: 1,
  source: 'callback',
  recorded_at: '2026-11-26T15:31:02.123Z',
  event_at: null,
  account_sid: ACCOUNT_SID,
  message_sid: MESSAGE_SID,
  messaging_service_sid: null,
  status: 'sent',
  error_code: null,
  to: null,
  from: null,
  idempotency_token: null,
  tags: {},
  params: {},
};

describe('parseArchiveLine', () => {
  it.each(['2026-11-25T25:61:61.000Z', '2026-13-01T10:00:00.000Z', '2026-11-00T10:00:00.000Z', '2026-02-31T10:00:00.000Z', '2026-11-25T24:00:00.000Z'])(
    'refuses %s, a time of the right form that is no real instant, as recorded_at and as event_at',
    (at) => {
      expect(parseArchiveLine(toArchiveLine({ ...record, recorded_at: at }))).toEqual({ ok: false, reason: 'recorded_at is not a real ISO-8601 UTC time' });
      expect(parseArchiveLine(toArchiveLine({ ...record, event_at: at }))).toEqual({
        ok: false,
        reason: 'event_at is neither null nor a real ISO-8601 UTC time',
      });
    },
  );

  it.each(['2028-02-29T23:59:59.999Z', '2026-11-25T00:00:00Z', '2026-12-31T23:59:59.5Z'])('takes %s, a real instant', (at) => {
    expect(parseArchiveLine(toArchiveLine({ ...record, recorded_at: at, event_at: at })).ok).toBe(true);
  });

  it('reads the facts of a v1 record', () => {
    const parsed = parseArchiveLine(toArchiveLine(record).trimEnd());
    expect(parsed).toEqual({
      ok: true,
      facts: {
        source: 'callback',
        recorded_at: record.recorded_at,
        event_at: null,
        account_sid: ACCOUNT_SID,
        message_sid: MESSAGE_SID,
        status: 'sent',
        error_code: null,
        to: null,
        tags: {},
        params: {},
        problems: null,
      },
    });
  });

  it.each([
    ['not JSON', '{"v":1,"source":"callback"', /not JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['version 2', JSON.stringify({ ...record, v: 2 }), /unknown record version 2/],
    ['an unknown source', JSON.stringify({ ...record, source: 'fax' }), /unknown source/],
    ['a local time', JSON.stringify({ ...record, recorded_at: '2026-11-26 15:31' }), /recorded_at/],
    ['a null SID outside send_error', JSON.stringify({ ...record, message_sid: null }), /message_sid is null/],
    ['a numeric error code', JSON.stringify({ ...record, error_code: 30003 }), /error_code/],
    ['no status', JSON.stringify({ ...record, status: '' }), /status is missing/],
    ['tags that are not an object', JSON.stringify({ ...record, tags: 'x' }), /tags or params/],
  ])('refuses %s, saying why', (_what, line, reason) => {
    const parsed = parseArchiveLine(line);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });

  it('accepts a send_error record without a SID', () => {
    expect(parseArchiveLine(JSON.stringify({ ...record, source: 'send_error', message_sid: null })).ok).toBe(true);
  });

  it('reads a flagged record that names its message as facts, problems included', () => {
    const parsed = parseArchiveLine(JSON.stringify({ ...record, to: null, problems: ['To was sent 2 times with different values: the field is left null'] }));
    expect(parsed).toMatchObject({
      ok: true,
      facts: { message_sid: MESSAGE_SID, problems: ['To was sent 2 times with different values: the field is left null'] },
    });
  });

  it.each([
    ['no message', { message_sid: null }],
    ['no account', { account_sid: null }],
    ['no status', { status: null }],
  ])('reads a flagged record with %s as valid but with nothing to fold', (_what, fields) => {
    expect(parseArchiveLine(JSON.stringify({ ...record, ...fields, problems: ['odd'] }))).toEqual({ ok: true, facts: null, problems: ['odd'] });
  });

  it.each([
    ['an empty problems list', { message_sid: null, problems: [] }],
    ['problems that are not strings', { problems: [1] }],
    ['a null account without problems', { account_sid: null }],
  ])('refuses %s', (_what, fields) => {
    expect(parseArchiveLine(JSON.stringify({ ...record, ...fields })).ok).toBe(false);
  });
});
