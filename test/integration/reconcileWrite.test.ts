/**
 * --write when the archive refuses the corrections: the run says so, counts
 * those gaps as still open, and never claims them written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveAppender } from '../../src/adapters/archive/archiveAppender';
import { FolderArchiveStore } from '../../src/adapters/archive/archiveStore';
import type { TwilioMessageRow } from '../../src/domain/reconcile/twilioRow';
import { reconcile, reconcileExitCode, type Gap } from '../../src/reconcile/reconcile';

const row = (n: number): TwilioMessageRow => ({
  sid: `SM${String(n).padStart(32, '0')}`,
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  status: 'delivered',
  direction: 'outbound-api',
  to: '+14155550100',
  from: '+15005550006',
  dateCreated: '2026-11-25T10:00:00.000Z',
  dateSent: '2026-11-25T10:00:00.000Z',
  errorCode: null,
  messagingServiceSid: null,
});

async function run(appender: ArchiveAppender, rows: number) {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-write-'));
  const gaps: Gap[] = [];
  try {
    const summary = await reconcile({
      store: new FolderArchiveStore(dir),
      from: new Date('2026-11-25T00:00:00Z'),
      to: new Date('2026-11-26T00:00:00Z'),
      slackMs: 3_600_000,
      matchWindowMs: 300_000,
      direction: 'outbound',
      twilioList: async (onRow) => {
        for (let n = 0; n < rows; n++) onRow(row(n));
        return { rows, malformedRows: 0, problems: [], complete: true };
      },
      twilioListDescription: 'stub',
      appender,
      redactDigits: 0,
      onGap: (gap) => gaps.push(gap),
    });
    return { summary, gaps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reconcile --write', () => {
  it('appends the corrections in batches as it finds them', async () => {
    const batches: number[] = [];
    const { summary } = await run({ description: 'memory', append: async (lines) => void batches.push(lines.length) }, 1_234);
    expect(batches).toEqual([500, 500, 234]);
    expect(summary).toMatchObject({ written: 1_234, write_error: null, gaps_remaining: 0 });
    expect(reconcileExitCode(summary)).toBe(0);
  });

  it('counts the gaps as open and says why when the archive refuses the corrections', async () => {
    let calls = 0;
    const flaky: ArchiveAppender = {
      description: 'refusing',
      append: async () => {
        if (++calls === 2) throw new Error('AccessDenied');
      },
    };
    const { summary, gaps } = await run(flaky, 1_200);
    expect(gaps).toHaveLength(1_200);
    expect(summary).toMatchObject({ written: 700, write_error: 'AccessDenied', gaps_remaining: 500 });
    expect(reconcileExitCode(summary)).toBe(1);
  });
});
