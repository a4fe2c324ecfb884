/** `npm run configure-event-stream -- …`: the CLI's `configure-event-stream` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['configure-event-stream', ...process.argv.slice(2)]);
