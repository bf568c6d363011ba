import { AbortedError } from '../errors.js';
import { backoffMs, RETRY_BACKOFF } from '../time/backoff.js';
import { isAborted, systemClock, type Clock } from '../time/clock.js';
import { TokenBucket } from '../time/token-bucket.js';
import type { Indexed } from './kv.js';

/** What one blocking read is given: wait for a change past `index`, for at most `waitMs`. */
export interface BlockingRead {
  /** 0 on the first read (answer at once), then the last index seen (never 0 again). */
  readonly index: number;
  readonly waitMs: number;
  /** Client-side deadline: above wait + wait/16 jitter, so only a dead connection hits it. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export interface BlockingLoopOptions<T = unknown> {
  readonly signal: AbortSignal;
  /** Server-side wait per request. Default 30 s: far below Node's 300 s header timeout. */
  readonly waitMs?: number;
  /** Rate limit: requests allowed back to back, and one more per `refillMs`. Defaults: 3, 100 ms. */
  readonly burst?: number;
  readonly refillMs?: number;
  /**
   * Cost-proportional pacing: after the consumer has handled an answer, the loop waits so that receiving,
   * decoding (the answer's `costMs`, never the server's hold) and handling it take at most this fraction
   * of the time. A watch of a
   * large prefix under churn then reads less often and each read carries more changes, instead of listing
   * back to back. Cheap answers (a few ms) are unaffected. @default 1 (no pacing beyond the token bucket)
   */
  readonly busyFraction?: number;
  /**
   * Whether a new answer says nothing new (e.g. the same keys at the same ModifyIndexes). Consul wakes a
   * blocking read of an empty prefix on writes anywhere in the KV store and hands it the store's new
   * index, so such a watch would re-read on every write in the datacenter. With `same`, answers that came
   * back early with nothing new are paced: no pause after the first, then 100 ms doubling to
   * `SPURIOUS_WAKE_MAX_PAUSE_MS`; an answer with news, or one that held the whole wait, ends the streak.
   */
  readonly same?: (previous: T, next: T) => boolean;
  /** Called for each failed read before the loop backs off and retries. */
  readonly onError?: (error: unknown, consecutiveFailures: number) => void;
  readonly clock?: Clock;
}

/** The longest pause between reads of a watch whose answers keep waking early with nothing new. */
export const SPURIOUS_WAKE_MAX_PAUSE_MS = 1_000;

/** The pause after the `streak`-th early answer in a row with nothing new: none after the first. */
function spuriousPauseMs(streak: number): number {
  return streak <= 1 ? 0 : Math.min(SPURIOUS_WAKE_MAX_PAUSE_MS, 100 * 2 ** (streak - 2));
}

/** How long to pause after an answer that cost `busyMs`, so work stays within `fraction` of the time. */
function paced(fraction: number, busyMs: number): number {
  return fraction >= 1 ? 0 : busyMs * (1 / fraction - 1);
}

/** Slack above Consul's own deadline (wait + wait/16) before we call a connection dead. */
const DEADLINE_SLACK_MS = 2_000;

/**
 * The client-side deadline of one blocking query: Consul answers by wait + wait/16 (its jitter); past that
 * plus a slack the connection is dead (consul-facts §4, Consul issue #18271).
 */
export function blockingDeadlineMs(waitMs: number): number {
  return waitMs + waitMs / 16 + DEADLINE_SLACK_MS;
}

/**
 * Consul's blocking-query protocol as an async iterator (consul-facts §4). Yields the first answer and then
 * every answer whose index differs from the last one yielded; a woken read with the same index is not a
 * change and is swallowed. Resets to a fresh read when the index goes backwards, never sends index 0 after
 * the first read, rate-limits with a token bucket, bounds every request with a client-side deadline, and
 * retries failures with `RETRY_BACKOFF` until the signal aborts (then it returns quietly).
 */
export async function* blockingLoop<T>(
  read: (request: BlockingRead) => Promise<Indexed<T>>,
  options: BlockingLoopOptions<T>,
): AsyncGenerator<Indexed<T>, void, undefined> {
  const { signal } = options;
  const clock = options.clock ?? systemClock;
  const waitMs = options.waitMs ?? 30_000;
  const timeoutMs = blockingDeadlineMs(waitMs);
  const bucket = new TokenBucket({ burst: options.burst ?? 3, refillMs: options.refillMs ?? 100 }, clock);
  let index = 0;
  let lastYielded: number | undefined;
  let failures = 0;
  const busyFraction = Math.min(1, Math.max(0.01, options.busyFraction ?? 1));
  let pauseMs = 0;
  let previous: { value: T } | undefined;
  let spurious = 0;

  while (!signal.aborted) {
    try {
      if (pauseMs > 0) await clock.sleep(pauseMs, signal);
      await bucket.take(signal);
      const sentAt = clock.now();
      const result = await read({ index, waitMs, timeoutMs, signal });
      failures = 0;
      const early = index > 0 && clock.now() - sentAt < waitMs / 2;
      const nothingNew = previous !== undefined && options.same?.(previous.value, result.value) === true;
      spurious = early && nothingNew ? spurious + 1 : 0;
      previous = { value: result.value };
      if (result.index < index) {
        // Snapshot restore, or the newest key under a prefix was deleted: start over with a fresh read.
        index = 0;
        continue;
      }
      index = Math.max(1, result.index);
      if (result.index !== lastYielded) {
        lastYielded = result.index;
        const handedAt = clock.now();
        yield result;
        pauseMs = paced(busyFraction, (result.costMs ?? 0) + clock.now() - handedAt);
      } else pauseMs = 0;
      pauseMs = Math.max(pauseMs, spuriousPauseMs(spurious));
    } catch (error: unknown) {
      if (isAborted(signal) || error instanceof AbortedError) return;
      failures += 1;
      options.onError?.(error, failures);
      try {
        await clock.sleep(backoffMs(failures, RETRY_BACKOFF), signal);
      } catch {
        return;
      }
    }
  }
}
