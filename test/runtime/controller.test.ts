import { describe, expect, it } from 'vitest';
import { Controller, type ReconcileEvent } from '../../src/runtime/controller.js';
import { done, requeueAfter, TerminalError, type Result } from '../../src/runtime/reconciler.js';
import { WorkQueue } from '../../src/runtime/work-queue.js';
import { FakeClock, flush } from '../support/fake-clock.js';

interface Harness {
  readonly clock: FakeClock;
  readonly controller: Controller;
  readonly calls: { key: string; at: number }[];
  readonly events: ReconcileEvent<string>[];
  readonly stop: () => Promise<void>;
}

function start(
  behaviour: (key: string, attempt: number) => Promise<Result> | Result,
  options: { concurrency?: number; resyncMs?: number; listKeys?: () => string[] } = {},
): Harness {
  const clock = new FakeClock();
  const calls: { key: string; at: number }[] = [];
  const events: ReconcileEvent<string>[] = [];
  const controller = new Controller<string>({
    name: 'test',
    clock,
    queue: new WorkQueue({ clock, rateLimiter: { baseDelayMs: 10, maxDelayMs: 1_000 } }),
    reconciler: {
      reconcile: async (key) => {
        calls.push({ key, at: clock.now() });
        return behaviour(key, calls.filter((call) => call.key === key).length);
      },
    },
    onReconciled: (event) => events.push(event),
    ...options,
  });
  const abort = new AbortController();
  const running = controller.run(abort.signal);
  return {
    clock,
    controller,
    calls,
    events,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

describe('Controller result semantics', () => {
  it.each<{
    name: string;
    behaviour: (key: string, attempt: number) => Result;
    attemptsAt: number[];
    outcomes: string[];
  }>([
    { name: 'done: reconciled once', behaviour: () => done, attemptsAt: [1_000], outcomes: ['done'] },
    {
      name: 'requeueAfter: reconciled again after the delay',
      behaviour: (_key, attempt) => (attempt < 3 ? requeueAfter(250) : done),
      attemptsAt: [1_000, 1_250, 1_500],
      outcomes: ['requeued', 'requeued', 'done'],
    },
    {
      name: 'error: retried with per-key exponential backoff until it succeeds',
      behaviour: (_key, attempt) => {
        if (attempt < 4) throw new Error('Consul said no');
        return done;
      },
      attemptsAt: [1_000, 1_010, 1_030, 1_070],
      outcomes: ['error', 'error', 'error', 'done'],
    },
    {
      name: 'TerminalError: not retried',
      behaviour: () => {
        throw new TerminalError('spec is invalid');
      },
      attemptsAt: [1_000],
      outcomes: ['terminal'],
    },
  ])('$name', async ({ behaviour, attemptsAt, outcomes }) => {
    const harness = start(behaviour);
    harness.controller.enqueue('a');
    await harness.clock.advance(5_000);
    expect(harness.calls.map((call) => call.at)).toEqual(attemptsAt);
    expect(harness.events.map((event) => event.outcome)).toEqual(outcomes);
    await harness.stop();
    expect(harness.controller.state).toBe('stopped');
  });

  it('a success resets the backoff of a key that failed before', async () => {
    let fail = true;
    const harness = start(() => {
      if (fail) throw new Error('boom');
      return done;
    });
    harness.controller.enqueue('a');
    await harness.clock.advance(15); // attempts at +0 and +10
    fail = false;
    await harness.clock.advance(100); // +30 succeeds
    expect(harness.controller.queue.retries('a')).toBe(0);
    await harness.stop();
  });
});

describe('Controller concurrency', () => {
  it('runs at most `concurrency` reconciles at once and never the same key twice at once', async () => {
    const release = new Map<string, () => void>();
    let running = 0;
    let maxRunning = 0;
    const runningKeys = new Set<string>();
    let overlap = false;
    const harness = start(
      (key) =>
        new Promise<Result>((resolve) => {
          if (runningKeys.has(key)) overlap = true;
          runningKeys.add(key);
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          release.set(key, () => {
            running -= 1;
            runningKeys.delete(key);
            resolve(done);
          });
        }),
      { concurrency: 2 },
    );
    for (const key of ['a', 'b', 'c', 'a', 'a']) harness.controller.enqueue(key);
    await flush();
    expect([...runningKeys].sort()).toEqual(['a', 'b']);
    harness.controller.enqueue('a'); // while a runs: queued once more, not run twice
    harness.controller.enqueue('a');
    release.get('a')?.();
    await flush();
    expect([...runningKeys].sort()).toEqual(['b', 'c']);
    release.get('b')?.();
    await flush();
    expect([...runningKeys].sort()).toEqual(['a', 'c']);
    release.get('a')?.();
    release.get('c')?.();
    await flush();
    expect(harness.calls.map((call) => call.key)).toEqual(['a', 'b', 'c', 'a']);
    expect(maxRunning).toBe(2);
    expect(overlap).toBe(false);
    await harness.stop();
  });

  it('stop aborts the signal of in-flight reconciles and waits for them', async () => {
    let seen: AbortSignal | undefined;
    const clock = new FakeClock();
    const controller = new Controller<string>({
      name: 'test',
      clock,
      reconciler: {
        reconcile: (_key, signal) => {
          seen = signal;
          return new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              reject(new Error('aborted'));
            });
          });
        },
      },
    });
    const abort = new AbortController();
    const running = controller.run(abort.signal);
    controller.enqueue('a');
    await flush();
    expect(controller.state).toBe('running');
    abort.abort();
    await running;
    expect(seen?.aborted).toBe(true);
    expect(controller.state).toBe('stopped');
  });
});

describe('Controller resync', () => {
  it('re-adds every listed key each resync period', async () => {
    const harness = start(() => done, { resyncMs: 1_000, listKeys: () => ['x', 'y'] });
    await harness.clock.advance(2_500);
    expect(harness.calls).toEqual([
      { key: 'x', at: 2_000 },
      { key: 'y', at: 2_000 },
      { key: 'x', at: 3_000 },
      { key: 'y', at: 3_000 },
    ]);
    await harness.stop();
  });
});
