import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../domain/archiveWindow';
import { INSTANT_FORMS, parseIsoInstant, parseUtcDay } from '../domain/instants';

/** Bad arguments: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {}

export function durationOption(value: string, name: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

/** A real calendar day, `YYYY-MM-DD`: its midnight UTC. */
export function dayOption(value: string, name: string): Date {
  try {
    return parseUtcDay(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

const DURATION = /^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)$/;

/** An ISO-8601 time with `Z` or an offset, or a duration before `now` (`3d`); anything else is refused with the accepted forms. */
export function instantOption(value: string, name: string, now: Date): Date {
  try {
    return DURATION.test(value.trim()) ? new Date(now.getTime() - parseDuration(value)) : parseIsoInstant(value);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}; give ${INSTANT_FORMS}`);
  }
}

export function appendOption(value: string | undefined): 'firehose' | 'archive' {
  const mode = value ?? 'firehose';
  if (mode !== 'firehose' && mode !== 'archive') throw new UsageError(`--append must be firehose or archive, not "${mode}"`);
  return mode;
}

/**
 * Runs a script's body with its parsed flags and exits with its code: 2 for
 * bad arguments (with a pointer to --help) and for anything that stops the
 * run before it could finish (unreadable input), saying what.
 */
export function runCommand<T extends NonNullable<ParseArgsConfig['options']>>(
  name: string,
  help: string,
  options: T,
  body: (values: ReturnType<typeof parseArgs<{ options: T; args: string[] }>>['values']) => Promise<number>,
): void {
  const run = async (): Promise<number> => {
    let values;
    try {
      ({ values } = parseArgs({ args: process.argv.slice(2), options }));
    } catch (error) {
      console.error(`${(error as Error).message}\nSee --help.`);
      return 2;
    }
    if ((values as { help?: boolean }).help) {
      console.log(help);
      return 0;
    }
    try {
      return await body(values);
    } catch (error) {
      if (error instanceof UsageError) console.error(`${error.message}\nSee --help.`);
      else console.error(`${name}: cannot proceed: ${(error as Error).message}`);
      return 2;
    }
  };
  void run().then((code) => process.exit(code));
}
