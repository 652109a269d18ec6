import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // suites that share PostgreSQL make their own database; files run in parallel workers
    pool: 'forks',
    reporters: ['default', './test/support/skipped-reporter.ts'],
  },
});
