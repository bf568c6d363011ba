import { InvalidSessionError, TxnRollbackError } from '../consul/errors.js';
import type { KvApi } from '../consul/kv.js';
import type { TxnApi } from '../consul/txn.js';
import type { Clock } from '../time/clock.js';

/** What reading a lock key takes: a `ConsulClient` is one. */
export interface LockKeyReader {
  readonly kv: Pick<KvApi, 'get'>;
}

/**
 * A holder's server confirmation: a consistent (quorum-confirmed) read of its own lock key still shows its
 * session. It also catches an operator releasing the key out from under it.
 */
export async function holdsKey(
  client: LockKeyReader,
  key: string,
  sessionId: string,
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<boolean> {
  const { value } = await client.kv.get(key, {
    consistency: 'consistent',
    ...(signal === undefined ? {} : { signal }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return value?.session === sessionId;
}

/** What acquiring a lock key takes: a `ConsulClient` is one. */
export interface LockKeyAcquirer {
  readonly txn: Pick<TxnApi, 'run'>;
}

/**
 * Acquire `key` for `sessionId` with `value` (the holder record) and learn the fencing token in the same
 * round trip: a `/v1/txn` `lock` reports the entry it wrote, whose ModifyIndex is the Raft index of this
 * acquiring write, the very number a consistent read would return next (consul-facts §3.5). The send time is
 * the term's first confirmation: the write committed through the leader after it. Undefined when Consul
 * refuses the lock (held by another session, or lock-delay in force, §1.5); an invalid session throws
 * `InvalidSessionError`, as a refused `?acquire` of a dead session does, so the campaign opens a new lease.
 */
export async function acquireWithToken(
  client: LockKeyAcquirer,
  key: string,
  value: string,
  sessionId: string,
  clock: Clock,
  signal?: AbortSignal,
): Promise<{ token: number; sentAt: number } | undefined> {
  const sentAt = clock.now();
  try {
    const [entry] = await client.txn.run([{ verb: 'lock', key, value, session: sessionId }], signal);
    return entry?.session === sessionId ? { token: entry.modifyIndex, sentAt } : undefined;
  } catch (error: unknown) {
    if (!(error instanceof TxnRollbackError)) throw error;
    const invalid = error.errors.find((e) => /invalid session/i.test(e.what));
    if (invalid !== undefined) throw new InvalidSessionError(409, '/v1/txn', invalid.what);
    return undefined;
  }
}

/**
 * The fencing token (ModifyIndex of our acquiring write), read back consistently right after the acquire,
 * with the read's send time: the term's first confirmation, since the servers saw our session holding the
 * key after that moment. Undefined when the key is no longer ours.
 */
export async function readFencingToken(
  client: LockKeyReader,
  key: string,
  sessionId: string,
  clock: Clock,
  signal?: AbortSignal,
): Promise<{ token: number; sentAt: number } | undefined> {
  const sentAt = clock.now();
  const { value } = await client.kv.get(key, {
    consistency: 'consistent',
    ...(signal === undefined ? {} : { signal }),
  });
  return value?.session === sessionId ? { token: value.modifyIndex, sentAt } : undefined;
}
