/** `npm run local-firehose -- …`: the CLI's `local-firehose` command, run from the checkout (src/cli). */
import { runMain } from '../src/cli/main';

runMain(['local-firehose', ...process.argv.slice(2)]);
