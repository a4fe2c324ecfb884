import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { INSTANT_FORMS, isDuration, parseDuration, parseIsoInstant, parseUtcDay } from '../domain/time';
import type { CommandIo } from './io';

/** Bad arguments: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function durationOption(value: string, name: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** A real calendar day, `YYYY-MM-DD`: its midnight UTC. */
export function dayOption(value: string, name: string): Date {
  try {
    return parseUtcDay(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** An ISO-8601 time with `Z` or an offset, or a duration before `now` (`3d`); anything else is refused with the accepted forms. */
export function instantOption(value: string, name: string, now: Date): Date {
  try {
    return isDuration(value) ? new Date(now.getTime() - parseDuration(value)) : parseIsoInstant(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}; give ${INSTANT_FORMS}`, { cause: error });
  }
}

export function positiveIntOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not "${value}"`);
  return n;
}

/**
 * Worker threads a command starts by default: one per core, but no more than
 * this: each has its own heap and buffers (tens of MiB), and a big machine
 * must not spend its memory before the messages' state does.
 */
const MAX_DEFAULT_THREADS = 4;

function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}

/** The help of --threads, the same in every command that reads the archive, its text starting at `column`. */
export function threadsHelp(column: number): string {
  const indent = ' '.repeat(column);
  return [
    `  ${'--threads <n>'.padEnd(column - 2)}Threads that read and parse the archive: 1 reads it in this`,
    `${indent}thread (a small machine); more start that many worker threads,`,
    `${indent}each with its own heap. Default: one per core, at most ${MAX_DEFAULT_THREADS} (${defaultThreads()} here).`,
  ].join('\n');
}

/** `--threads`: threads that parse the archive; by default one per core, at most MAX_DEFAULT_THREADS. */
export function threadsOption(value: string | undefined): number {
  return positiveIntOption(value, 'threads', defaultThreads());
}

/** DuckDB's memory limit when --memory is not given: measured, the whole process stays near 1 GiB at 1M messages. */
export const DEFAULT_DUCKDB_MEMORY = '500MB';

/** --memory: a size as DuckDB's memory_limit takes it (`500MB`, `4GB`, `2GiB`). */
export function memoryOption(value: string | undefined): string {
  if (value === undefined) return DEFAULT_DUCKDB_MEMORY;
  const size = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(value.trim());
  if (!size || Number(size[1]) <= 0) throw new UsageError(`--memory must be a size such as 500MB or 4GB, not "${value}"`);
  return `${size[1]}${size[2]}`;
}

export function appendOption(value: string | undefined): 'firehose' | 'archive' {
  const mode = value ?? 'firehose';
  if (mode !== 'firehose' && mode !== 'archive') throw new UsageError(`--append must be firehose or archive, not "${mode}"`);
  return mode;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<T extends Options> = ReturnType<typeof parseArgs<{ options: T; args: string[] }>>['values'];

/** A subcommand of the CLI: `twilio-message-archive <name> …`, or `npm run <name> -- …` from a checkout. */
export interface Command {
  name: string;
  /** Runs with the arguments after the command's name; resolves with the exit code. */
  run(argv: string[], io: CommandIo): Promise<number>;
}

export interface CommandSpec<T extends Options> {
  name: string;
  help: string;
  options: T;
  body: (values: Values<T>, io: CommandIo) => Promise<number>;
}

/**
 * A command from its flags and body. Exit 2 for bad arguments (with a pointer
 * to --help) and for anything that stops the run before it could finish (an
 * unreadable input), saying what; otherwise the body's code.
 */
export function defineCommand<T extends Options>(spec: CommandSpec<T>): Command {
  return {
    name: spec.name,
    async run(argv, io) {
      let values: Values<T>;
      try {
        ({ values } = parseArgs({ args: argv, options: spec.options }));
      } catch (error) {
        io.err(`${(error as Error).message}\nSee --help.`);
        return 2;
      }
      if ((values as { help?: boolean }).help) {
        io.out(spec.help);
        return 0;
      }
      try {
        return await spec.body(values, io);
      } catch (error) {
        if (error instanceof UsageError) io.err(`${error.message}\nSee --help.`);
        else io.err(`${spec.name}: cannot proceed: ${(error as Error).message}`);
        return 2;
      }
    },
  };
}

/** The end of a configure command's help: the Twilio credentials it uses, and its exit codes. */
export const CONFIGURE_HELP_FOOTER = `Environment: TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
TWILIO_API_SECRET); TWILIO_API_BASE_URL sends every API request elsewhere.

Exit codes: 0 set, already set, or dry run; 1 declined or the change failed;
2 bad arguments or refused.`;
