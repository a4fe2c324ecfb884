/** `npm run poll-stale -- …`: the CLI's `poll-stale` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['poll-stale', ...process.argv.slice(2)]);
