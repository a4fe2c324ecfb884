/** `npm run history -- …`: the CLI's `history` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['history', ...process.argv.slice(2)]);
