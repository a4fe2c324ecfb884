/**
 * `twilio-message-archive drain-spool [--spool <folder>]`
 * Appends the records the sending library spooled (when the archive would not
 * take them) to the archive, the way the library writes, and removes each
 * once the archive has acknowledged it. Exit codes: 0 the spool is empty
 * (nothing spooled, nothing claimed); 1 records remain (the archive refused
 * one, or another drain holds some); 2 bad arguments or settings, or another
 * writer holds the archive's lease.
 */
import { ArchiveWriter } from '../adapters/aws/archiveWriter';
import { acquireWriterLease, type HeldLease } from '../adapters/archive/writerLease';
import { DEFAULT_SPOOL_DIR, RecordSpool, type SpoolClaim } from '../adapters/spool/recordSpool';
import { openArchive } from './archiveAccess';
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
With ARCHIVE_S3_URI (the archive the stream delivers into) set, the drain takes
that archive's writers' lease, shared with reconcile --write and poll-stale;
without it, drains are kept apart by their claims alone, and it says so.

A record another drain has claimed is left to it and counted as remaining; a
claim whose drain ran on this host and has ended is taken back at once, any
other after 10 minutes.

Exit codes: 0 the spool is empty (nothing spooled, nothing claimed); 1 records
remain (the archive refused one, or another drain holds some: see the
message); 2 bad arguments or settings, or another writer holds the archive's
lease (nothing appended).`;

function describeClaims(claims: SpoolClaim[]): string {
  const holders = claims.map((c) => (c.pid === null ? `a drain since ${c.since}` : `pid ${c.pid} on ${c.host} since ${c.since}`));
  return `${claims.length} of them claimed by another drain (${[...new Set(holders)].join('; ')}): left to it, or taken back once it has ended.`;
}

export const command = defineCommand({
  name: 'drain-spool',
  help: HELP,
  options: { spool: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  body: async (values, io) => {
    const spool = new RecordSpool(values.spool ?? readVariable(io.env, 'ARCHIVE_SPOOL_DIR') ?? DEFAULT_SPOOL_DIR);
    if (values['dry-run']) {
      const claims = await spool.claims();
      io.out(`${await spool.count()} spooled record(s) in ${spool.dir}.${claims.length > 0 ? ` ${describeClaims(claims)}` : ''}`);
      return 0;
    }
    let writer: ArchiveWriter;
    let stream: string;
    const archiveUri = readVariable(io.env, 'ARCHIVE_S3_URI');
    try {
      const config = readArchiveSettings(io.env);
      writer = new ArchiveWriter(config.writer);
      stream = config.writer.streamName;
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    let lease: HeldLease | null = null;
    // The records go through Firehose into the archive ARCHIVE_S3_URI names: its lease keeps other writers out meanwhile.
    if ((await spool.count()) > 0) {
      if (archiveUri) lease = await acquireWriterLease(openArchive(archiveUri, io.env).store, 'drain-spool');
      else io.out("No writers' lease taken: ARCHIVE_S3_URI does not name the archive (drains keep apart by their claims).");
    }
    try {
      const outcome = await spool.drain(async (line, recordedAt) => {
        lease?.check();
        await writer.write(line, recordedAt);
      });
      io.out(`Appended ${outcome.appended} spooled record(s) to Firehose stream ${stream}; ${outcome.remaining} remain in ${spool.dir}.`);
      if (outcome.claimed.length > 0) io.out(describeClaims(outcome.claimed));
      if (outcome.error) io.out(`The archive refused a record: ${outcome.error}`);
      return outcome.remaining === 0 ? 0 : 1;
    } finally {
      await lease?.release();
    }
  },
});
