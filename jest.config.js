/** Jest runs the TypeScript sources as ES modules (ts-jest, transpile only: `tsc` type-checks). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  watchman: false,
  // One DynamoDB Local and one fauxqs for the whole run; their endpoints reach the workers via
  // process.env (CREDEX_TEST_DYNAMODB_ENDPOINT, CREDEX_TEST_SQS_ENDPOINT) — see test/integration/servers.ts.
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
};
