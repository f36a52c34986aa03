import { defineConfig } from 'vitest/config';

// One build of graphql for everything (Vite's ESM and @graphql-tools' CommonJS would otherwise clash).
const graphqlAlias = { graphql: new URL('./node_modules/graphql/index.js', import.meta.url).pathname };

/**
 * Tests whose bounds are times (a deadline, a latency, equal-time sign-ins, event-loop stalls during a job): they run
 * last and alone, so a loaded machine's other test files do not eat their margins.
 */
const TIMING = [
  'apps/server/src/http/bounds.test.ts',
  'apps/server/src/http/shutdown.test.ts',
  'apps/server/src/jobs/dashboard-runs.test.ts',
  'apps/server/src/jobs/job-lag.test.ts',
  'tests/integration/cross-instance.test.ts',
  'tests/integration/queue-isolation.test.ts',
];

// Groups run one after another (sequence.groupOrder): unit, then the e2e stacks, then the timing tests; vitest runs
// the single-worker integration project in its own sequential group after those. Stacks never run beside each other.
export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: {
    // Every test signs its users up from 127.0.0.1: one address, far past the sign-up limit a deployment wants.
    // The limit's own test (http/signup-limit.test.ts) sets it low again. Child processes inherit this.
    env: { SIGNUP_ADDRESS_BURST: '100000' },
    reporters: ['default', './tests/support/skipped-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.test.ts', 'apps/web/lib/**/*.test.ts', 'tests/contract/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/server/src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: TIMING,
          sequence: { groupOrder: 0 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          sequence: { groupOrder: 2 },
          include: TIMING,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
