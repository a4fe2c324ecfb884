import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Debian's Chromium, which .ci/run installs. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots a local file in headless Chromium, with no network of its own, and decodes the PNG. */
export async function screenshot(file: string, width = 1280, height = 1400): Promise<PNG> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does`);
  const work = mkdtempSync(join(tmpdir(), 'chromium-'));
  const png = join(work, 'shot.png');
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(work, 'profile')}`,
      `--window-size=${width},${height}`,
      `--screenshot=${png}`,
      `file://${file}`,
    ];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (!existsSync(png)) throw new Error(`Chromium made no screenshot (exit ${code}): ${stderr.slice(-2000)}`);
    return PNG.sync.read(readFileSync(png));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** How many pixels are (nearly) this colour. */
export function pixelsOfColor(image: PNG, hex: string, tolerance = 12): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    if (Math.abs(image.data[i] - r) <= tolerance && Math.abs(image.data[i + 1] - g) <= tolerance && Math.abs(image.data[i + 2] - b) <= tolerance) n++;
  }
  return n;
}
