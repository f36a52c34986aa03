import { defineConfig } from 'vitest/config';

// One build of graphql for everything (Vite's ESM and @graphql-tools' CommonJS would otherwise clash).
const graphqlAlias = { graphql: new URL('./node_modules/graphql/index.js', import.meta.url).pathname };

export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/web/lib/**/*.test.ts', 'tests/contract/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/server/src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
