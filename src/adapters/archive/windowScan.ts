import { archivePrefixes, prefixesForWindow, type ArchiveLayout } from '../../config/archiveSettings';
import { hourFoldersBetween } from '../../domain/archiveWindow';
import { scanArchive, type ScanOptions, type ScanReport } from './archiveScanner';
import type { ArchiveStore } from './archiveStore';

/**
 * The archive holds no object at all in a command's window. That is far more
 * often a wrong `--archive` (or window) than a quiet day, and a command that
 * went on would report every message missing or append corrections for them.
 */
export class EmptyArchiveError extends Error {
  override name = 'EmptyArchiveError';
}

export interface WindowScanOptions extends Omit<ScanOptions, 'prefixes' | 'cloudEvents'> {
  /** Go on when the window holds no object at all (say so deliberately). */
  allowEmpty: boolean;
  /** ARCHIVE_REDACT_DIGITS: the Kinesis path's CloudEvents hold numbers as Twilio sent them, masked as they are read. @default 0 */
  redactDigits?: number;
}

/**
 * Scans every record that arrived between `from` and `to` in each of the
 * layout's prefixes, and refuses (EmptyArchiveError) a window with no object
 * in any of them, unless `allowEmpty`.
 */
export async function scanWindow(store: ArchiveStore, layout: ArchiveLayout, from: Date, to: Date, options: WindowScanOptions): Promise<ScanReport> {
  const hours = hourFoldersBetween(from, to);
  const prefixes = archivePrefixes(layout);
  const scan = await scanArchive(store, {
    ...options,
    prefixes: prefixesForWindow(layout, from, to),
    cloudEvents: { prefix: layout.events, redactDigits: options.redactDigits ?? 0 },
  });
  if (scan.objectsListed === 0 && !options.allowEmpty) {
    const span = hours.length === 1 ? hours[0] : `${hours[0]} to ${hours[hours.length - 1]}`;
    throw new EmptyArchiveError(
      `the archive ${store.description} holds no object in the hour folders ${span} under any of its prefixes (${prefixes.map((p) => p || '(the root)').join(', ')}). ` +
        `Is --archive the archive root, the folder that holds ${layout.firehose || 'the hour folders'}? Are ARCHIVE_FIREHOSE_PREFIX and the window right? ` +
        'If this part of the archive is really empty, run again with --allow-empty.',
    );
  }
  return scan;
}
