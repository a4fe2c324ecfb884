/** `npm run report -- …`: the CLI's `report` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['report', ...process.argv.slice(2)]);
