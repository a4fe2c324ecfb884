/** `npm run configure-callback -- …`: the CLI's `configure-callback` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['configure-callback', ...process.argv.slice(2)]);
