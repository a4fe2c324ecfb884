/**
 * `twilio-message-archive history --archive <where> (--sid SM… | --client-ref <ref> | --tag name=value | --to <number>)`
 * Everything the archive knows about one message (or the messages a
 * reference, tag or number names): every record in order with where it is,
 * the outcome, and the rule that decided it.
 * Exit codes: 0 found (every object read); 1 nothing found, or an object
 * could not be read; 2 bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { readRedactDigits } from '../config/archiveSettings';
import { type HistoryQuery } from '../domain/messageHistory';
import { maskPhoneNumbersInText, maskTrailingDigits } from '../domain/redaction';
import { findHistory, type HistoryResult } from '../history/findHistory';
import type { WarehouseSummary } from '../warehouse/warehouseRead';
import { findHistoryInWarehouse } from '../history/findHistoryInWarehouse';
import { historyPage } from '../history/historyPage';
import { historyText } from '../history/historyText';
import { openArchive } from './archiveAccess';
import { engineOption, openAthenaWarehouse, printWarehouse } from './athenaAccess';
import { dayOption, DEFAULT_DUCKDB_MEMORY, defineCommand, memoryOption, positiveIntOption, UsageError } from './command';

const HELP = `Usage: twilio-message-archive history --archive <s3://bucket/prefix | folder> (--sid SM… | --client-ref <ref> | --tag name=value | --to <number>) [options]

Everything the archive holds about a message: every record (send, send
error, callback, Event Streams event, poll, correction, Debugger alert), in
order, with its object and line; then the outcome the status rules give, and
the rule that decided each part, in words.

Find by one of:
  --sid <SM…|MM…>        The message's SID.
  --client-ref <ref>     The sender's client reference (the send records' tag), then every record of
                         the messages it names.
  --tag <name=value>     A tag the sender set, likewise.
  --to <number>          The recipient, likewise; a redacted archive is searched with the full
                         number (equal on every digit neither side masked).

Options:
  --archive <where>      The archive root (folder, or s3://bucket/prefix/).
  --from <day>           First day to read (YYYY-MM-DD, UTC) ...
  --to-day <day>         ... and the last. Without them: backwards from today to the latest day
                         with the message's records, then earlier until a day without them.
  --max-days <n>         How far that search goes back. Default: 31.
  --engine <engine>      local (default): the archive read here. athena: SQL on Athena finds the
                         objects that hold the records (the table's date projection limited to
                         --from and --to-day, both required; --archive its s3:// root), which are
                         then read here; the bytes scanned and the cost are printed. duckdb: the
                         same SQL run by DuckDB here over the days asked for (--from and --to-day;
                         an s3:// archive's days are first copied to a temporary folder). Neither
                         with --to, nor over days that hold the Kinesis path's CloudEvents.
  --i-accept-cost        With --engine athena: run in a workgroup with no bytes-scanned limit.
  --memory <size>        With --engine duckdb: DuckDB's memory limit (default ${DEFAULT_DUCKDB_MEMORY}).
  --json                 The history as JSON on stdout instead of the table.
  --html <file>          Also write a one-page evidence sheet (self-contained HTML).
  -h, --help             This text.

Numbers are shown as the archive holds them; with ARCHIVE_REDACT_DIGITS set,
every number printed (the one searched for included) is masked as the archive
masks them.

Exit codes: 0 found, every object read; 1 nothing found, or an object could
not be read (the history may be incomplete); 2 bad arguments.`;

const SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

export const command = defineCommand({
  name: 'history',
  help: HELP,
  options: {
    archive: { type: 'string' },
    sid: { type: 'string' },
    'client-ref': { type: 'string' },
    tag: { type: 'string' },
    to: { type: 'string' },
    from: { type: 'string' },
    'to-day': { type: 'string' },
    'max-days': { type: 'string' },
    json: { type: 'boolean' },
    html: { type: 'string' },
    engine: { type: 'string' },
    'i-accept-cost': { type: 'boolean' },
    memory: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  body: async (values, io) => {
    if (!values.archive) throw new UsageError('--archive is required');
    const given = (['sid', 'client-ref', 'tag', 'to'] as const).filter((name) => values[name] !== undefined);
    if (given.length !== 1) throw new UsageError('give exactly one of --sid, --client-ref, --tag, --to');
    let query: HistoryQuery;
    if (values.sid !== undefined) {
      if (!SID.test(values.sid)) throw new UsageError(`--sid must be a message SID (SM or MM and 32 hex digits), not "${values.sid}"`);
      query = { kind: 'sid', sid: values.sid };
    } else if (values['client-ref'] !== undefined) {
      query = { kind: 'client_ref', ref: values['client-ref'] };
    } else if (values.tag !== undefined) {
      const match = /^([^=]+)=(.*)$/.exec(values.tag);
      if (!match) throw new UsageError(`--tag must be name=value, not "${values.tag}"`);
      query = { kind: 'tag', name: match[1], value: match[2] };
    } else {
      if (!/[0-9]{6}/.test(values.to!.replace(/[^0-9]/g, ''))) throw new UsageError('--to must be a phone number');
      query = { kind: 'to', number: values.to! };
    }
    if ((values.from === undefined) !== (values['to-day'] === undefined)) throw new UsageError('give --from and --to-day together, or neither');
    const from = values.from === undefined ? undefined : dayOption(values.from, '--from');
    const to = values['to-day'] === undefined ? undefined : dayOption(values['to-day'], '--to-day');
    if (from && to && to < from) throw new UsageError('--to-day is before --from');
    const maxDays = positiveIntOption(values['max-days'], '--max-days', 31);
    const engine = engineOption(values, ['local', 'duckdb', 'athena']);
    if (values.memory !== undefined && engine !== 'duckdb') throw new UsageError('--memory is for --engine duckdb');
    const memoryLimit = memoryOption(values.memory);
    if (engine !== 'local' && !(from && to)) throw new UsageError(`--engine ${engine} reads the days asked for: give --from and --to-day`);
    if (engine !== 'local' && query.kind === 'to')
      throw new UsageError(`--to is matched digit by digit against redacted numbers, which --engine ${engine} does not do: use --engine local`);
    const redactDigits = readRedactDigits(io.env);
    const archive = openArchive(values.archive, io.env);

    const options = { ...archive, query, from, to, maxDays, today: new Date(), redactDigits, onDay: (day: string) => io.err(`reading ${day}`) };
    const result: HistoryResult & { warehouse?: WarehouseSummary } =
      engine === 'athena'
        ? await findHistoryInWarehouse({
            ...options,
            from: from!,
            to: to!,
            warehouse: await openAthenaWarehouse(io.env, values['i-accept-cost'] ?? false),
            signal: io.stop,
          })
        : engine === 'duckdb'
          ? await (await import('../history/findHistoryNatively')).findHistoryNatively({ ...options, from: from!, to: to!, memoryLimit, signal: io.stop })
          : await findHistory(options);
    // The number searched for is output too: masked as the archive's are.
    const shownQuery: HistoryQuery = query.kind === 'to' ? { kind: 'to', number: maskTrailingDigits(query.number, redactDigits) } : query;
    if (values.json) io.out(maskPhoneNumbersInText(JSON.stringify({ query: shownQuery, ...result }, null, 2), redactDigits));
    else for (const line of historyText(result)) io.out(maskPhoneNumbersInText(line, redactDigits));
    if (values.html) {
      writeFileSync(values.html, maskPhoneNumbersInText(historyPage(result, shownQuery, new Date()), redactDigits));
      io.err(`evidence sheet: ${values.html}`);
    }
    printWarehouse(result, values.json ? io.err : io.out);
    const nothing = result.messages.length === 0 && result.unattached.length === 0;
    return nothing || result.looked.corrupt.length > 0 ? 1 : 0;
  },
});
