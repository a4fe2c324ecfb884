import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Checks, before anything is read or appended, that a command can write
 * `path` at the end (`label` names the option, e.g. `--out`): its folder made, no folder in its way, and the file
 * writable (opened without truncating it, or created and removed again). A
 * report that cannot be written must stop the run while nothing is appended.
 */
export function checkOutputFile(path: string, label: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const found = statSync(path, { throwIfNoEntry: false });
    if (found?.isDirectory()) throw new Error(`${path} is a folder`);
    if (found) closeSync(openSync(path, 'r+'));
    else {
      closeSync(openSync(path, 'wx'));
      rmSync(path);
    }
  } catch (error) {
    throw new Error(`${label} ${path} cannot be written (${(error as Error).message}); nothing read, nothing appended`, { cause: error });
  }
}
