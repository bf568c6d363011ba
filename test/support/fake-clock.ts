import { AbortedError } from '../../src/errors.js';
import type { Clock } from '../../src/time/clock.js';

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Let every pending promise chain run (a macrotask boundary drains all microtasks). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A Clock that moves only when a test says so; sleepers wake in time order. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #sleepers = new Set<Sleeper>();

  constructor(startMs = 1_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.#sleepers.size;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AbortedError());
        return;
      }
      const onAbort = (): void => {
        this.#sleepers.delete(sleeper);
        reject(new AbortedError());
      };
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Move time forward by `ms`, waking sleepers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      const next = [...this.#sleepers]
        .filter((sleeper) => sleeper.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#sleepers.delete(next);
      this.#now = next.at;
      next.resolve();
      await flush();
    }
    this.#now = target;
    await flush();
  }
}
