/**
 * Read by `twilio-run` (npm start, npm run deploy) and by the Twilio CLI's
 * `twilio serverless:*` commands, which find it with cosmiconfig.
 *
 * JavaScript rather than JSON5 for one reason: the deploy folder must be an
 * absolute path. Given a relative `cwd`, both toolkits (twilio-run 5 and the
 * plugin's twilio-run 3) join it onto the Functions folder twice and stop
 * before any network call (ENOENT dist/deploy/functions/dist/deploy/functions/…).
 */
const { join } = require('node:path');

module.exports = {
  // The locally served Functions are the bundles `npm run build` writes.
  functionsFolder: 'dist/deploy/functions',
  assetsFolder: 'dist/deploy/assets',
  // Functions Node.js runtime on Twilio: node22 with @twilio/runtime-handler 2.0.3 (docs/deploy.md).
  runtime: 'node22',
  serviceName: 'message-status-archive',
  commands: {
    // Deploy from the folder `npm run build` writes: its package.json lists only what the
    // bundles require, which is all Twilio's build installs into the service.
    deploy: { cwd: join(__dirname, 'dist', 'deploy'), functionsFolder: 'functions', assetsFolder: 'assets' },
  },
};
