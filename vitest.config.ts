import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'baton',
          include: ['test/**/*.test.ts'],
          exclude: ['test/chaos/campaign*.test.ts'],
          // Consul-backed tests start their own agents; two cores do not take many at once.
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The fault campaign loads the whole machine on purpose (CPU starvation is one of its faults): it
        // runs alone, after every other file, so neither disturbs the other.
        extends: true,
        test: {
          name: 'campaign',
          include: ['test/chaos/campaign*.test.ts'],
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
