import type { Writable } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';

/**
 * Progress on stderr: a bar on a terminal, a plain line every few seconds
 * otherwise (CI logs), nothing on stdout, which stays for results.
 */
export class Progress {
  private bar: SingleBar | undefined;
  private phase = '';
  private lastLine = 0;
  private readonly tty: boolean;

  constructor(private readonly stream: Writable & { isTTY?: boolean } = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  update(phase: string, value: number, total: number, detail = ''): void {
    if (this.tty) {
      if (phase !== this.phase) {
        this.bar?.stop();
        this.bar = new SingleBar(
          { format: `${phase.padEnd(8)} [{bar}] {value}/{total} {detail}`, stream: this.stream, hideCursor: true },
          Presets.shades_classic,
        );
        this.bar.start(total, value, { detail });
      } else {
        this.bar?.setTotal(total);
        this.bar?.update(value, { detail });
      }
    } else if (phase !== this.phase || Date.now() - this.lastLine > 5000 || value === total) {
      this.lastLine = Date.now();
      this.stream.write(`${phase}: ${value}/${total} ${detail}\n`);
    }
    this.phase = phase;
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
