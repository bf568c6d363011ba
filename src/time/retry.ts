import { backoffMs, RETRY_BACKOFF, type BackoffOptions } from './backoff.js';
import { isAborted, systemClock, type Clock } from './clock.js';

export interface RetryOptions {
  /** Ends the retrying: `retryUntil` then resolves with `undefined`, whatever `fn` was doing. */
  readonly signal?: AbortSignal;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default RETRY_BACKOFF */
  readonly policy?: BackoffOptions;
  /**
   * Which failures are worth another attempt; any other is rethrown at once (a permission refusal, a
   * handler's own error). @default every failure
   */
  readonly retryable?: (error: unknown) => boolean;
  /** Called for each retryable failure before the backoff sleep, with the count of consecutive failures. */
  readonly onError?: (error: unknown, failures: number) => void;
  /**
   * Give up at this `clock.now()`: a failure at or after it is rethrown, and no sleep runs past it.
   * @default never
   */
  readonly giveUpAt?: number;
  /** @default Math.random (tests pass a fixed source) */
  readonly random?: () => number;
}

/** What `fn` may say besides its result: that it made progress, so the next failure backs off from the start. */
export interface RetryAttempt {
  readonly signal: AbortSignal | undefined;
  /** Reset the count of consecutive failures (a lease opened, a read answered). */
  progressed(): void;
}

/**
 * The one retry loop. Calls `fn` until it returns something other than `undefined` and resolves with
 * that; `undefined` means "again now" (a round that ended normally: the failure count resets, no sleep).
 * A retryable failure sleeps `backoffMs(failures, policy)` on `clock` and tries again. Resolves with
 * `undefined` as soon as `signal` aborts (a failure after the abort is the abort, not an error).
 */
export async function retryUntil<T>(
  fn: (attempt: RetryAttempt) => Promise<T | undefined>,
  options: RetryOptions = {},
): Promise<T | undefined> {
  const { signal, giveUpAt } = options;
  const clock = options.clock ?? systemClock;
  let failures = 0;
  const attempt: RetryAttempt = { signal, progressed: () => (failures = 0) };
  while (!isAborted(signal)) {
    try {
      const result = await fn(attempt);
      failures = 0;
      if (result !== undefined) return result;
    } catch (error: unknown) {
      if (isAborted(signal)) return undefined;
      if (options.retryable?.(error) === false) throw error;
      if (giveUpAt !== undefined && clock.now() >= giveUpAt) throw error;
      failures += 1;
      options.onError?.(error, failures);
      let delayMs = backoffMs(failures, options.policy ?? RETRY_BACKOFF, options.random);
      if (giveUpAt !== undefined) delayMs = Math.min(delayMs, giveUpAt - clock.now());
      await clock.sleep(delayMs, signal).catch(() => undefined);
    }
  }
  return undefined;
}
