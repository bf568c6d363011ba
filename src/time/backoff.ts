export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** 0..1: the share of each delay drawn at random, so many clients do not retry in lockstep. */
  readonly jitter?: number;
}

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
