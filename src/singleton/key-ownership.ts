import type { KvApi } from '../consul/kv.js';
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
