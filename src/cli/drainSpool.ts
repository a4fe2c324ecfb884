/**
 * `twilio-message-archive drain-spool [--spool <folder>]`
 * Appends the records the sending library spooled (when the archive would not
 * take them) to the archive, the way the library writes, and removes each
 * once the archive has acknowledged it. Exit codes: 0 the spool is empty;
 * 1 records remain (the archive refused one); 2 bad arguments or settings.
 */
import { ArchiveWriter } from '../adapters/aws/archiveWriter';
import { DEFAULT_SPOOL_DIR, RecordSpool } from '../adapters/spool/recordSpool';
import { defineCommand, UsageError } from './command';
import { ConfigError, readArchiveSettings, readVariable } from '../config/archiveSettings';

const HELP = `Usage: twilio-message-archive drain-spool [--spool <folder>]

Appends every record the sending library kept in its local spool (because the
archive would not take it at the time) to the archive, oldest first, through
the same Firehose stream and fallback as the library, and removes each once
the archive has acknowledged it. Safe to run while senders run, and twice at
once: each spooled record is claimed before it is appended.

Options:
  --spool <folder>   The spool folder. Default: ARCHIVE_SPOOL_DIR, else ${DEFAULT_SPOOL_DIR}.
  --dry-run          Count the spooled records; append nothing.
  -h, --help         This text.

Environment: the ARCHIVE_* settings of the sending library (.env.example).

Exit codes: 0 the spool is empty; 1 records remain (the archive refused one:
see the message); 2 bad arguments or settings.`;

export const command = defineCommand({
  name: 'drain-spool',
  help: HELP,
  options: { spool: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  body: async (values, io) => {
    const spool = new RecordSpool(values.spool ?? readVariable(io.env, 'ARCHIVE_SPOOL_DIR') ?? DEFAULT_SPOOL_DIR);
    if (values['dry-run']) {
      io.out(`${await spool.count()} spooled record(s) in ${spool.dir}.`);
      return 0;
    }
    let writer: ArchiveWriter;
    let stream: string;
    try {
      const config = readArchiveSettings(io.env);
      writer = new ArchiveWriter(config.writer);
      stream = config.writer.streamName;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    const outcome = await spool.drain(async (line, recordedAt) => void (await writer.write(line, recordedAt)));
    io.out(`Appended ${outcome.appended} spooled record(s) to Firehose stream ${stream}; ${outcome.remaining} remain in ${spool.dir}.`);
    if (outcome.error) io.out(`The archive refused a record: ${outcome.error}`);
    return outcome.remaining === 0 ? 0 : 1;
  },
});
