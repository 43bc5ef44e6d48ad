import { defineConfig } from 'vitest/config';

// Three projects (issue 23): `npm run test:unit` runs test/unit alone, against the sources, with
// no build; integration and e2e spawn the compiled CLI, engine and interface, so their global setup
// builds dist/ first (once per run, see test/global-setup.ts). `npm test` runs all three.
const BUILD_DIST = ['test/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Worker threads start faster than forks; each has its own module graph, so the
          // TensorFlow.js backend state stays per file as it did with forks.
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: BUILD_DIST,
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: BUILD_DIST,
          pool: 'forks',
        },
      },
    ],
  },
});
