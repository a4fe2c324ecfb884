import type { Readable, Writable } from 'node:stream';

/**
 * Where a command reads and writes: the process's streams and environment
 * when run as a program, a test's buffers when run in-process. Results go to
 * `out`; messages, progress and errors to `err`.
 */
export interface CommandIo {
  /** One line of the command's results (stdout). */
  out: (line: string) => void;
  /** One line of messages or errors (stderr). */
  err: (line: string) => void;
  /** stderr as a stream, for a progress bar; a bar is drawn only when it is a terminal. */
  errStream: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  env: NodeJS.ProcessEnv;
  /** Aborted when the command should stop (SIGINT, SIGTERM): for commands that serve until told. */
  stop: AbortSignal;
}

/**
 * The process's own streams and environment. SIGINT and SIGTERM abort `stop`
 * only for a command that asks for it (one that serves until told): handling
 * them would otherwise keep Ctrl-C from ending every other command at once.
 */
export function processIo(): CommandIo {
  let stopping: AbortController | undefined;
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    errStream: process.stderr,
    stdin: process.stdin,
    stdout: process.stdout,
    env: process.env,
    get stop(): AbortSignal {
      if (!stopping) {
        const controller = new AbortController();
        const abort = () => controller.abort();
        process.once('SIGINT', abort);
        process.once('SIGTERM', abort);
        stopping = controller;
      }
      return stopping.signal;
    },
  };
}

/**
 * Asks before a change: true for `y`/`yes`. Without a terminal to ask on, says
 * how to proceed and answers false: a change is never made unasked.
 */
export async function confirmChange(io: CommandIo, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) {
    io.err('Not a terminal, so the command cannot ask: pass --yes to change it, or --dry-run to see the change only. Nothing changed.');
    return false;
  }
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: io.stdin, output: io.stdout });
  const answer = await prompt.question(`${question} [y/N] `);
  prompt.close();
  if (/^y(es)?$/i.test(answer.trim())) return true;
  io.out('Nothing changed.');
  return false;
}
