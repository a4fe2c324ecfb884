import { join } from 'node:path';

/**
 * A module of the compiled product (npm run build writes dist/lib), typed by
 * its source: the benchmarks time what the installed command runs (worker
 * threads included), not ts-node compiling as it goes, and type-check before
 * anything is built.
 */
export function compiled<T>(sourcePath: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(__dirname, '..', '..', 'dist', 'lib', sourcePath)) as T;
}
