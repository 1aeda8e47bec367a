/**
 * Jest runs the TypeScript sources as ES modules (ts-jest, transpile only: `tsc` type-checks).
 *
 * Three tiers, one jest project each (`--selectProjects <name>`):
 * - `unit`: pure functions, adapters, simulators over loopback HTTP — no servers, no Java;
 * - `infra`: the CDK stack, synthesized once for the tier by its global setup (test/infra/fixtures.ts),
 *   the bundles as Lambda gets them, cdk-nag;
 * - `integration`: the handlers against one DynamoDB Local and one fauxqs, started once for the
 *   tier by its global setup (endpoints reach the workers through process.env:
 *   CREDEX_TEST_DYNAMODB_ENDPOINT, CREDEX_TEST_SQS_ENDPOINT — see test/integration/servers.ts);
 * - `e2e`: the whole local runtime (`test/e2e`, `test/cli`), each file starting its own; run one
 *   file at a time (`npm run test:e2e` passes --runInBand) so runtimes never starve each other.
 *
 * Timeouts are per tier (test/support/timeout-*.ts): a deadline for a stuck test, never a wait.
 */
const shared = {
  // the transform cache lives with the checkout: a fresh clone starts cold, as on CI
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};

export default {
  watchman: false,
  // every core: jest's default leaves one to the main process, which on 2 cores halves the run
  // (the e2e tier runs in band regardless)
  maxWorkers: '100%',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/{unit,contract,simulators}/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-unit.ts'],
    },
    {
      ...shared,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-infra.ts'],
      globalSetup: '<rootDir>/test/infra/global-setup.ts',
      globalTeardown: '<rootDir>/test/infra/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-integration.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/{e2e,cli}/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-e2e.ts'],
    },
  ],
};
