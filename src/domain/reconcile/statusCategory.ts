import { isFinalStatus, statusRank } from '../statusRules';

/**
 * Where one message of Twilio's list stands against the archive
 * (docs/reconciliation.md, "Categories"):
 * - `ok`: the archive's latest status equals Twilio's, or is ahead of it;
 * - `pending`: neither side final yet;
 * - `missing`: no status record at all for the SID in the archive;
 * - `status_behind`: archived, but not final, or ranked below the final status Twilio reports;
 * - `status_conflict`: both final, different, and not explained by rank.
 */
export type StatusCategory = 'ok' | 'pending' | 'missing' | 'status_behind' | 'status_conflict';

/** `archiveStatus` is null (or empty) when the archive holds no status for the SID. */
export function categorizeStatus(archiveStatus: string | null, twilioStatus: string): StatusCategory {
  if (!archiveStatus) return 'missing';
  if (archiveStatus === twilioStatus) return 'ok';
  const archiveFinal = isFinalStatus(archiveStatus);
  const twilioFinal = isFinalStatus(twilioStatus);
  const byRank = statusRank(archiveStatus) - statusRank(twilioStatus);
  if (byRank > 0) return 'ok';
  if (!archiveFinal && !twilioFinal) return 'pending';
  if (!archiveFinal || byRank < 0) return 'status_behind';
  return twilioFinal ? 'status_conflict' : 'ok';
}
