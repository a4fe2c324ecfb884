/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/helpers/jestSetup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Integration tests start real servers (twilio-run, s3rver); give them room.
  testTimeout: 60000,
  // Two cores: run suites one at a time so the servers they start do not starve each other.
  maxWorkers: 1,
};
