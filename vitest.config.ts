import { defineConfig } from 'vitest/config';

/**
 * The test files that need no Consul agent, no built CLI and no browser: pure functions, fake ports and fake
 * time. They form the `unit` project (`npm run test:unit`); every other file is a behaviour test against real
 * Consul. `test/repo/test-layout.test.ts` checks this list against what each file imports, both ways.
 */
export const UNIT_TESTS: readonly string[] = [
  'test/api/api-conditions.test.ts',
  'test/api/api-records.test.ts',
  'test/api/schemas-drift.test.ts',
  'test/cache/diff-snapshots.test.ts',
  'test/chaos/checker-cli.test.ts',
  'test/chaos/checker.test.ts',
  'test/cli/parse-manifests.test.ts',
  'test/consul/blocking-pacing.test.ts',
  'test/consul/compression.test.ts',
  'test/consul/consul-config.test.ts',
  'test/controllers/cell-resync.test.ts',
  'test/controllers/controller-loops.test.ts',
  'test/controllers/lock-gc-plan.test.ts',
  'test/controllers/singleton-plan.test.ts',
  'test/controllers/status-compare.test.ts',
  'test/errors/errors.test.ts',
  'test/layout/acl-policies.test.ts',
  'test/layout/kv-layout.test.ts',
  'test/presence/snapshot-diff.test.ts',
  'test/process/watchdog.test.ts',
  'test/repo/consul-facts.test.ts',
  'test/repo/file-size.test.ts',
  'test/repo/layers.test.ts',
  'test/repo/test-layout.test.ts',
  'test/runtime/controller-builder.test.ts',
  'test/runtime/controller.test.ts',
  'test/runtime/rate-limiter.test.ts',
  'test/runtime/runnable-group.test.ts',
  'test/runtime/work-queue.test.ts',
  'test/session/lease.test.ts',
  'test/singleton/elector-states.test.ts',
  'test/singleton/term.test.ts',
  'test/store/plan-spec-write.test.ts',
  'test/time/durations.test.ts',
  'test/time/linked-signal.test.ts',
  'test/time/retry.test.ts',
];

/** Finds or builds Consul, promlint and Chromium: only the projects that use them pay for it. */
const TOOLS_SETUP = ['./test/support/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [...UNIT_TESTS],
          // Runs in the same group as `baton` (one pool of two workers), so both need the same limit.
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'baton',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT_TESTS, 'test/chaos/campaign*.test.ts'],
          globalSetup: TOOLS_SETUP,
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
          globalSetup: TOOLS_SETUP,
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
