/** `npm run reconcile -- …`: the CLI's `reconcile` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['reconcile', ...process.argv.slice(2)]);
