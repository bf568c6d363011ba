import { backoffMs } from '../time/backoff.js';
import type { Clock } from '../time/clock.js';
import { TokenBucket } from '../time/token-bucket.js';
import { ConfigError } from '../errors.js';

export interface RetryRateLimiterOptions {
  /**
   * Delay before the first retry of a key; doubles with each consecutive failure.
   * @default 5
   */
  readonly baseDelayMs?: number;
  /**
   * Cap on the per-key delay.
   * @default 60000
   */
  readonly maxDelayMs?: number;
  /**
   * Global bucket: retries allowed back to back across all keys.
   * @default 100
   */
  readonly burst?: number;
  /**
   * Global bucket: one more retry allowed every `refillMs` (100 ms = 10 retries/s).
   * @default 100
   */
  readonly refillMs?: number;
}

/**
 * How long a failed key waits before its retry: the larger of its own exponential backoff and the global
 * token bucket's wait (client-go's default controller rate limiter). The per-key part keeps one broken
 * record from spinning; the bucket keeps a mass failure (Consul down) from turning into a retry storm.
 */
export class RetryRateLimiter<K = string> {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #bucket: TokenBucket;
  readonly #failures = new Map<K, number>();

  constructor(options: RetryRateLimiterOptions, clock: Clock) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    if (this.#baseDelayMs <= 0 || this.#maxDelayMs < this.#baseDelayMs) {
      throw new ConfigError(
        `retry delays need 0 < baseDelayMs <= maxDelayMs, got ${this.#baseDelayMs} and ${this.#maxDelayMs}`,
      );
    }
    this.#bucket = new TokenBucket({ burst: options.burst ?? 100, refillMs: options.refillMs ?? 100 }, clock);
  }

  /** Record one more failure of `key` and return how long to wait before retrying it. */
  when(key: K): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const perKeyMs = backoffMs(failures, { baseMs: this.#baseDelayMs, maxMs: this.#maxDelayMs });
    return Math.max(perKeyMs, this.#bucket.reserve());
  }

  /** Consecutive failures recorded for `key`. */
  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The key succeeded (or was given up on): its next failure starts again from `baseDelayMs`. */
  forget(key: K): void {
    this.#failures.delete(key);
  }
}
