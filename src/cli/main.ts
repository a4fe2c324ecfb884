/**
 * The command line: `twilio-message-archive <command> [options]`, installed
 * as the package's `bin`, and behind the `npm run <command>` aliases of a
 * checkout. Each command is loaded only when it runs.
 */
import type { Command } from './command';
import { processIo, type CommandIo } from './io';

export const CLI_NAME = 'twilio-message-archive';

/** Every command, by name, each loaded on demand. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  'poll-stale': { summary: 'Find messages with no final status after 12 hours and ask Twilio', load: async () => (await import('./pollStale')).command },
  reconcile: {
    summary: "Check the archive against Twilio's list of a day's messages; append corrections with --write",
    load: async () => (await import('./reconcile')).command,
  },
  report: {
    summary: "One page for a period (a month) from the daily reconciliation runs' summaries",
    load: async () => (await import('./report')).command,
  },
  history: {
    summary: 'Everything the archive holds about a message, in order, and the rule behind its outcome',
    load: async () => (await import('./history')).command,
  },
  'configure-callback': {
    summary: "Set the deployed Function as a Messaging Service's status callback",
    load: async () => (await import('./configureCallback')).command,
  },
  'configure-event-stream': {
    summary: 'Create the Event Streams sink and subscription that archive messaging events',
    load: async () => (await import('./configureEventStream')).command,
  },
  'drain-spool': { summary: 'Append the records the sending library spooled to the archive', load: async () => (await import('./drainSpool')).command },
  'local-firehose': {
    summary: 'Serve a local Firehose-compatible endpoint that delivers into a folder (development)',
    load: async () => (await import('./localFirehose')).command,
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

function help(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return [
    `Usage: ${CLI_NAME} <command> [options]        (from a checkout: npm run <command> -- [options])`,
    '',
    'Commands:',
    ...COMMAND_NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    '',
    `${CLI_NAME} <command> --help describes a command, its options and its exit codes.`,
  ].join('\n');
}

/** Runs `argv` (the command's name, then its arguments); resolves with the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.err(`${CLI_NAME}: no command "${name}". Commands: ${COMMAND_NAMES.join(', ')}. See --help.`);
    return 2;
  }
  return (await entry.load()).run(rest, io);
}

/** The program: runs with the process's arguments and streams, then exits with the command's code. */
export function runMain(argv: string[] = process.argv.slice(2)): void {
  void main(argv, processIo()).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${CLI_NAME}: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
