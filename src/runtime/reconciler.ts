import { BatonError, ErrorCode } from '../errors.js';

/**
 * What a reconcile asks of the loop. `{}` is done; `requeueAfterMs` reconciles the key again after that
 * delay (a deliberate poll, not a failure). A thrown error is a failure: the key is retried with backoff,
 * unless it is a `TerminalError`.
 */
export interface Result {
  readonly requeueAfterMs?: number;
}

/** The key is reconciled; nothing more to do until something changes. */
export const done: Result = Object.freeze({});

/** Reconcile this key again after `ms` (resets its failure backoff). */
export function requeueAfter(ms: number): Result {
  return { requeueAfterMs: ms };
}

/**
 * Level-triggered reconciliation: given a key (never an event), read the desired and actual state and move
 * the actual toward the desired. Must be safe to call any number of times for the same key.
 */
export interface Reconciler<K = string> {
  reconcile(key: K, signal: AbortSignal): Promise<Result>;
}

/** A failure retrying cannot fix (the record is invalid, say): logged, not retried. */
export class TerminalError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Terminal, message, options);
  }
}
