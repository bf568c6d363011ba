/** The messages the scale bench's orchestrator and its child processes exchange over IPC. */

/** A presence change a pool made (or saw its cell make), as the pool observed it. */
export interface Change {
  readonly id: string;
  /**
   * `registered`: a new incarnation's claim committed (the Cell's `registered` event). `departed`: `stop()`
   * resolved. `lostLocally`: the Cell itself saw its session die and re-registers (a false loss for a live
   * process unless Consul was cut off).
   */
  readonly kind: 'registered' | 'departed' | 'lostLocally';
  readonly incarnation: string;
  /** Epoch ms: the `registered` event, or when `stop()` resolved (after the departure and the session's close). */
  readonly committedAt: number;
  /** Epoch ms when the pool called `stop()` (departures only): an upper bound of the lag starts here. */
  readonly issuedAt?: number;
}

export interface PoolStart {
  readonly type: 'start';
  readonly pool: number;
  readonly ids: readonly string[];
  readonly heartbeatMs: number;
  readonly checkTtlMs: number;
  readonly concurrency: number;
}

/** Depart and re-register `ids` (each a clean stop, then a new Cell), at most `ratePerSec` cells per second. */
export interface PoolChurn {
  readonly type: 'churn';
  readonly ids: readonly string[];
  readonly ratePerSec: number;
}

/** Re-register this pool's cells round-robin at `ratePerSec` until `stopChurn`. */
export interface PoolChurnLoop {
  readonly type: 'churnLoop';
  readonly ratePerSec: number;
}

export type ToPool = PoolStart | PoolChurn | PoolChurnLoop | { readonly type: 'stopChurn' | 'stats' };

export type FromPool =
  | { readonly type: 'ready' }
  | { readonly type: 'changes'; readonly changes: readonly Change[] }
  | { readonly type: 'registered'; readonly count: number; readonly failed: number; readonly ms: number }
  | { readonly type: 'churned'; readonly failed: number }
  | { readonly type: 'churnStopped' }
  | { readonly type: 'stats'; readonly rssMb: number; readonly heapMb: number }
  | { readonly type: 'error'; readonly message: string };

/** One presence event as the subscriber received it. */
export interface Received {
  readonly seq: number;
  readonly type: string;
  readonly subject: string;
  readonly incarnation: string;
  readonly reason: string;
  readonly receivedAt: number;
}

export type FromSubscriber =
  | { readonly type: 'ready'; readonly since: number }
  | { readonly type: 'events'; readonly events: readonly Received[] }
  | { readonly type: 'gap'; readonly fromSeq: number; readonly toSeq: number }
  | { readonly type: 'error'; readonly message: string };

/** Flush a batch at most this often, so IPC carries a few messages per second rather than one per change. */
export const BATCH_MS = 50;
