import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-line-reporter.ts'],
    // Integration tests start real processes (the CLI, bundled actions, terraform, moto).
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
