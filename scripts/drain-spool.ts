/** `npm run drain-spool -- …`: the CLI's `drain-spool` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['drain-spool', ...process.argv.slice(2)]);
