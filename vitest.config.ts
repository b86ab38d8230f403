import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // PGlite with PostGIS takes several seconds to start on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files start servers and databases; two at a time fit a 2-core machine.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    // .ci/run reads this report to print the totals and to fail on skipped tests.
    outputFile: { json: '.tmp/vitest-report.json' },
  },
});
