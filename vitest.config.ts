import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ once: integration tests spawn the compiled CLI (bin/mend.js).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // TensorFlow.js backends are process-global; separate forks keep tests independent.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
