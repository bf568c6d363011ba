import type { ConsulClient } from '../consul/client.js';
import { TxnRollbackError } from '../consul/errors.js';
import { BatonError, ErrorCode } from '../errors.js';

/** The caller no longer holds the lock; nothing was written. */
export class LockLostError extends BatonError {
  constructor(
    readonly lockKey: string,
    options?: { cause?: unknown },
  ) {
    super(
      ErrorCode.LockLost,
      `lock ${lockKey} is no longer held by this session; the write was not made`,
      options,
    );
  }
}

export interface FencedPutOptions {
  readonly lockKey: string;
  readonly session: string;
  readonly signal?: AbortSignal;
}

/**
 * Write `key` only if `session` still holds `lockKey`, atomically: one `/v1/txn` with `check-session` and
 * the write (consul-facts §3.5). Throws `LockLostError` when the check fails.
 */
export async function fencedPut(
  client: ConsulClient,
  options: FencedPutOptions,
  key: string,
  value: string | Uint8Array,
): Promise<void> {
  try {
    await client.txn.run(
      [
        { verb: 'check-session', key: options.lockKey, session: options.session },
        { verb: 'set', key, value },
      ],
      options.signal,
    );
  } catch (error: unknown) {
    if (error instanceof TxnRollbackError && error.errors.some((e) => e.opIndex === 0)) {
      throw new LockLostError(options.lockKey, { cause: error });
    }
    throw error;
  }
}

/**
 * The downstream half of fencing, for a resource outside Consul: accept a write only if its token is at
 * least the highest token the resource has seen. Returns the new high-water mark, or `undefined` to reject.
 * (Store the mark with the data and update both atomically, e.g. `UPDATE ... WHERE fence <= $token`.)
 */
export function admitFencingToken(highestSeen: number | undefined, token: number): number | undefined {
  if (highestSeen !== undefined && token < highestSeen) return undefined;
  return token;
}
