/**
 * The one-core floor of a stale scan, in its own process: every object of
 * the folder streamed through gunzip, split into lines, and each line
 * JSON.parse'd, one object after another on one thread; nothing checked,
 * nothing folded. No engine that reads every line in JavaScript can be
 * faster on one core. Prints {records, ms, maxRssBytes} as JSON.
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

async function parseLines(file: string): Promise<number> {
  let records = 0;
  let rest = '';
  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    const lines = (rest + (chunk as Buffer).toString('utf8')).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line !== '' && JSON.parse(line) !== null) records++;
  }
  if (rest !== '' && JSON.parse(rest) !== null) records++;
  return records;
}

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  let records = 0;
  for (const file of filesUnder(dir)) records += await parseLines(file);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ records, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
