import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The audit chain key every test appends with (openApp installs its own), and each file's share of the
    // contract check of API responses (test/support/contract.ts), summed and reported by the global setup.
    setupFiles: ['test/support/audit-keys.ts', 'test/support/contract-setup.ts'],
    globalSetup: ['test/support/contract-report.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
