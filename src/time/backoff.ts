export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** 0..1: the share of each delay drawn at random, so many clients do not retry in lockstep. */
  readonly jitter?: number;
}

/**
 * The one backoff policy for retrying a failed call to Consul (a watch, a campaign, a re-registration, a
 * departure, an event tail): 200 ms doubling to 5 s, half of each delay drawn at random. `retryUntil` uses
 * it unless told otherwise; the work queue has its own per-key limits (`RetryRateLimiter`).
 */
export const RETRY_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 200, maxMs: 5_000, jitter: 0.5 });

/**
 * A singleton candidate's campaign after a failed round (no agent, a lease that would not open): 100 ms
 * doubling to 5 s, 30% drawn at random. Quicker off the mark than `RETRY_BACKOFF`, since a leaderless
 * singleton is an outage; the count resets once a lease opens.
 */
export const CAMPAIGN_BACKOFF: BackoffOptions = Object.freeze({ baseMs: 100, maxMs: 5_000, jitter: 0.3 });

/** Exponential backoff for the n-th consecutive failure (n >= 1), capped, with optional jitter. */
export function backoffMs(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 30));
  const jitter = options.jitter ?? 0;
  return raw * (1 - jitter) + raw * jitter * random();
}
