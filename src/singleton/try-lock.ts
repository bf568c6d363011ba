import type { ConsulClient } from '../consul/client.js';
import { ConfigError } from '../errors.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import { Lease } from '../session/lease.js';
import { systemClock, type Clock } from '../time/clock.js';
import { checkTiming, DEFAULT_TIMING, type TimingProfile } from '../api/timing-profile.js';
import { defaultIdentity, holderRecord } from './holder-record.js';
import { holdsKey, readFencingToken } from './key-ownership.js';
import { KvLayout } from '../layout/kv-layout.js';
import { runTerm, type Leadership } from './term.js';

export interface TryLockOptions {
  readonly client: ConsulClient;
  readonly identity?: string;
  /**
   * The same timing profile as a singleton's, checked by the same safety budget: a run that loses
   * contact is aborted and must be gone before lock-delay lets another executor in.
   */
  readonly timing?: Partial<TimingProfile>;
  /** Session TTL backstop (`LeaseOptions.sessionTtlMs`). @default SINGLETON_DEFAULTS.sessionTtlMs */
  readonly sessionTtlMs?: number;
  /** The installation's KV root: the lock key is `<root>/locks/exclusive/<resource>`. @default 'baton/v1' */
  readonly root?: string;
  /** Where this component logs (pino; a child logger is derived). @default silentLogger: quiet */
  readonly logger?: Logger;
  /** Aborting it stops the operation (its `signal` aborts) and releases the lock once it settles. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/**
 * What an exclusive operation gets: the same as a singleton term (fencing token, an abort signal driven
 * by the safety budget, `isLeading()`, `fencedPut`, the stop deadline).
 */
export type ExclusiveContext = Leadership;

export type TryLockResult<T> = { readonly status: 'ran'; readonly value: T } | { readonly status: 'dropped' };

/**
 * Exclusive operation (seed 004): run `fn` only if `resource` is free right now, else drop the task.
 *
 * The run is a term like a singleton's: the fencing token is the ModifyIndex of the acquiring write, the
 * holder confirms with a consistent read of its key every `confirmInterval`, and `fn`'s signal aborts when
 * confirmations stop for 2 × confirmInterval (cut off, frozen). Lock-delay keeps everyone else out until the
 * run must be gone, so two runs never overlap even when the holder is cut off; a clean end releases
 * first, so the next run may start at once. An executor that finds the key in lock-delay after a crash
 * drops its task, as it would for a held key.
 */
export async function tryLock<T>(
  resource: string,
  fn: (context: ExclusiveContext) => Promise<T>,
  options: TryLockOptions,
): Promise<TryLockResult<T>> {
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const checked = checkTiming(timing);
  if (!checked.ok) throw new ConfigError(`lock ${resource}: ${checked.problems.join('; ')}`);
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const key = new KvLayout(options.root).locks.resource(resource);
  const identity = options.identity ?? defaultIdentity();
  const log = childLogger(options.logger ?? silentLogger, { resource, identity });
  let acquired = false;
  const lease = await Lease.open(
    {
      client,
      name: `baton exclusive ${resource}`,
      checkTtlMs: timing.checkTtlMs,
      heartbeatIntervalMs: timing.confirmIntervalMs,
      lockDelayMs: timing.lockDelayMs,
      ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
      behavior: 'release',
      confirm: (l, signal, timeoutMs) =>
        acquired ? holdsKey(client, key, l.sessionId, signal, timeoutMs) : Promise.resolve(true),
      logger: log,
      clock,
    },
    options.signal,
  );
  try {
    const record = JSON.stringify(holderRecord(identity, lease.sessionId));
    acquired = await client.kv.put(key, record, {
      acquire: lease.sessionId,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!acquired) return { status: 'dropped' };
    const confirmed = await readFencingToken(client, key, lease.sessionId, clock, options.signal);
    // Lost between the acquire and the read (session invalidated): nothing ran, so the task is dropped.
    if (confirmed === undefined) return { status: 'dropped' };
    let outcome: { value: T } | { error: unknown } | undefined;
    await runTerm(
      {
        client,
        lease,
        name: resource,
        identity,
        lockKey: key,
        token: confirmed.token,
        acquiredSentAt: confirmed.sentAt,
        budget: checked.budget,
        killGraceMs: timing.killGraceMs,
        clock,
        log,
        interrupt: options.signal ?? new AbortController().signal,
      },
      async (leadership) => {
        try {
          outcome = { value: await fn(leadership) };
        } catch (error: unknown) {
          outcome = { error };
        }
      },
    );
    // The term ended before the operation could start (the lease was lost, or the caller aborted, right
    // after the acquire): nothing ran, so the task is dropped.
    if (outcome === undefined) return { status: 'dropped' };
    if ('error' in outcome) throw outcome.error;
    return { status: 'ran', value: outcome.value };
  } finally {
    await lease.close(acquired ? [key] : []);
  }
}
