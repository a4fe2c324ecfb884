/**
 * Two projects: unit tests (pure, fast) run in parallel; integration tests start real servers
 * (twilio-run, s3rver, the fakes) and run one suite at a time, so on two cores they do not starve
 * each other. `npm test` runs both: unit first, then integration with --runInBand.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/helpers/jestSetup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};

module.exports = {
  // Integration tests start real servers (twilio-run, s3rver); give them room.
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    { ...shared, displayName: 'integration', roots: ['<rootDir>/test/integration'], testMatch: ['**/*.test.ts'] },
  ],
};
