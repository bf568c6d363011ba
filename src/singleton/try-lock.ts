import type { ConsulClient } from '../consul/client.js';
import type { Logger } from '../log/logger.js';
import { Lease } from '../session/lease.js';
import { DEFAULT_TIMING, type TimingProfile } from '../timing/safety-budget.js';
import { defaultIdentity, holderRecord } from './holder-record.js';
import { lockKey } from './keys.js';

export interface TryLockOptions {
  readonly client: ConsulClient;
  readonly identity?: string;
  readonly timing?: Partial<Pick<TimingProfile, 'checkTtlMs' | 'confirmIntervalMs'>>;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

export interface ExclusiveContext {
  /** Aborts if the lock's session is lost while `fn` runs (check TTL missed, operator). */
  readonly signal: AbortSignal;
  readonly sessionId: string;
  readonly lockKey: string;
}

export type TryLockResult<T> = { readonly status: 'ran'; readonly value: T } | { readonly status: 'dropped' };

/**
 * Exclusive operation (seed 004): run `fn` only if `resource` is free right now, else drop the task.
 * The lock is released when `fn` settles and released by Consul within the check TTL if the process dies.
 * Lock-delay is 0: a dropped task is never retried, so there is no successor to protect.
 */
export async function tryLock<T>(
  resource: string,
  fn: (context: ExclusiveContext) => Promise<T>,
  options: TryLockOptions,
): Promise<TryLockResult<T>> {
  const key = lockKey(`exclusive.${resource}`);
  const lease = await Lease.open(
    {
      client: options.client,
      name: `baton exclusive ${resource}`,
      checkTtlMs: options.timing?.checkTtlMs ?? DEFAULT_TIMING.checkTtlMs,
      heartbeatIntervalMs: options.timing?.confirmIntervalMs ?? DEFAULT_TIMING.confirmIntervalMs,
      lockDelayMs: 0,
      behavior: 'release',
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    },
    options.signal,
  );
  try {
    const record = JSON.stringify(holderRecord(options.identity ?? defaultIdentity(), lease.sessionId));
    const acquired = await options.client.kv.put(key, record, {
      acquire: lease.sessionId,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!acquired) return { status: 'dropped' };
    const signal = options.signal === undefined ? lease.lost : AbortSignal.any([lease.lost, options.signal]);
    return { status: 'ran', value: await fn({ signal, sessionId: lease.sessionId, lockKey: key }) };
  } finally {
    await lease.close([key]);
  }
}
