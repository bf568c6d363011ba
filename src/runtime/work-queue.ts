import { AbortedError } from '../errors.js';
import { systemClock, type Clock } from '../time/clock.js';
import { RetryRateLimiter, type RetryRateLimiterOptions } from './rate-limiter.js';

export interface WorkQueueOptions {
  /** Backoff for `addRateLimited`. */
  readonly rateLimiter?: RetryRateLimiterOptions;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Told of every add, retry, start and finish (client-go's workqueue metrics). @default none */
  readonly observer?: WorkQueueObserver;
}

/** What the queue reports as it goes, in client-go's terms; durations in the queue clock's milliseconds. */
export interface WorkQueueObserver {
  /** A key became dirty (an add that was not collapsed into a pending one). */
  added(): void;
  /** A key was scheduled again after a failure (`addRateLimited`). */
  retried(): void;
  /** A key was handed to a worker after waiting `queuedMs` in the queue. */
  started(queuedMs: number): void;
  /** A worker finished a key after `workMs`. */
  finished(workMs: number): void;
}

/**
 * A deduplicating work queue in the manner of client-go's `workqueue`. A key is *dirty* while it waits to be
 * processed and *processing* between `get` and `done`. Adding a dirty key does nothing, so a burst of
 * changes collapses into one pending reconcile; adding a key that is processing marks it dirty, and it is
 * queued again only at `done`, so one key is never processed twice at once.
 */
export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #limiter: RetryRateLimiter<K>;
  readonly #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  /** Earliest time each delayed key becomes ready. */
  readonly #delayed = new Map<K, number>();
  readonly #waiters = new Set<() => void>();
  readonly #timers = new AbortController();
  readonly #observer: WorkQueueObserver | undefined;
  /** When each queued key entered the queue, and when each processing key was taken: for the observer. */
  readonly #queuedAt = new Map<K, number>();
  readonly #startedAt = new Map<K, number>();
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#limiter = new RetryRateLimiter(options.rateLimiter ?? {}, this.#clock);
    this.#observer = options.observer;
  }

  /** Keys waiting to be processed (not counting delayed ones). */
  get length(): number {
    return this.#queue.length;
  }

  /** Keys waiting for a delay (`addAfter`, `addRateLimited`) to pass. */
  get delayedCount(): number {
    return this.#delayed.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** How long the longest-running key in processing has been at it (0 when none is), in milliseconds. */
  longestRunningMs(): number {
    const now = this.#clock.now();
    let longest = 0;
    for (const startedAt of this.#startedAt.values()) longest = Math.max(longest, now - startedAt);
    return longest;
  }

  /** Mark `key` as needing processing. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#observer?.added();
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Add `key` after `ms`. Several delayed adds of one key keep the earliest. */
  addAfter(key: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.#clock.now() + ms;
    const known = this.#delayed.get(key);
    if (known !== undefined && known <= readyAt) return;
    this.#delayed.set(key, readyAt);
    this.#clock.sleep(ms, this.#timers.signal).then(
      () => {
        const due = this.#delayed.get(key);
        if (due === undefined || due > this.#clock.now()) return; // superseded by an earlier add
        this.#delayed.delete(key);
        this.add(key);
      },
      () => undefined, // shut down: the pending add is dropped on purpose
    );
  }

  /** Add `key` after its retry delay: max(per-key exponential backoff, global token bucket). */
  addRateLimited(key: K): void {
    this.#observer?.retried();
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Reset `key`'s failure backoff (call after it was processed successfully or given up on). */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** Consecutive rate-limited adds of `key` since it was last forgotten. */
  retries(key: K): number {
    return this.#limiter.retries(key);
  }

  /**
   * Wait for the next key and mark it processing; the caller must call `done(key)` afterwards. Resolves
   * `undefined` once the queue is shut down and empty. Rejects with `AbortedError` if `signal` aborts.
   */
  async get(signal?: AbortSignal): Promise<K | undefined> {
    while (this.#queue.length === 0) {
      if (this.#shuttingDown) return undefined;
      await this.#wait(signal);
    }
    const key = this.#queue.shift() as K;
    this.#processing.add(key);
    this.#dirty.delete(key);
    const now = this.#clock.now();
    this.#observer?.started(now - (this.#queuedAt.get(key) ?? now));
    this.#queuedAt.delete(key);
    this.#startedAt.set(key, now);
    return key;
  }

  /** Processing of `key` finished; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    this.#processing.delete(key);
    const startedAt = this.#startedAt.get(key);
    this.#startedAt.delete(key);
    if (startedAt !== undefined) this.#observer?.finished(this.#clock.now() - startedAt);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
  }

  /** Stop accepting keys, drop delayed ones and wake every `get` (they resolve `undefined` once empty). */
  shutDown(): void {
    this.#shuttingDown = true;
    this.#queue.length = 0;
    this.#queuedAt.clear();
    this.#dirty.clear();
    this.#delayed.clear();
    this.#timers.abort();
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  #enqueue(key: K): void {
    this.#queue.push(key);
    this.#queuedAt.set(key, this.#clock.now());
    this.#wakeOne();
  }

  #wakeOne(): void {
    const [wake] = this.#waiters;
    if (wake === undefined) return;
    this.#waiters.delete(wake);
    wake();
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AbortedError(undefined, { cause: signal.reason }));
        return;
      }
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(new AbortedError(undefined, { cause: signal?.reason }));
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
