import type { ConsulClient } from '../consul/client.js';
import { AbortedError, BatonError, ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Lease } from '../session/lease.js';
import type { Clock } from '../time/clock.js';
import type { SafetyBudget } from '../api/timing-profile.js';
import { fencedPut } from './fencing.js';

/** What the worker gets for one term of leadership. */
export interface Leadership {
  /** Fencing token: the Raft index of the acquiring write. Strictly increasing across holders. */
  readonly token: number;
  readonly identity: string;
  readonly name: string;
  readonly lockKey: string;
  readonly sessionId: string;
  /** Aborts when the worker must stop: lost confidence, stop(), step-down. */
  readonly signal: AbortSignal;
  /** Synchronous "am I still primary?" to call before each action (seed 004). */
  isLeading(): boolean;
  /** Write a KV key only if this term still holds the lock (atomic check-session + set). */
  fencedPut(key: string, value: string | Uint8Array): Promise<void>;
  /**
   * When the work must be fully stopped if no further server confirmation arrives: the last confirmed
   * send time + the budget's stop deadline, in the term clock's milliseconds (`performance.now()` for the
   * system clock). A supervisor hands it to something outside its own event loop (`baton run`'s watchdog).
   */
  stopDeadline(): number;
  /** Called each time a confirmation moves the stop deadline forward; returns the unsubscribe function. */
  onStopDeadline(listener: (deadlineMs: number) => void): () => void;
}

/** Why a term ended. */
export type TermEnd =
  'work-finished' | 'work-failed' | 'lost-confidence' | 'lease-lost' | 'stop' | 'step-down';

export class LostConfidenceError extends BatonError {
  constructor(sinceConfirmMs: number) {
    super(
      ErrorCode.LostConfidence,
      `no server confirmation for ${Math.round(sinceConfirmMs)} ms: stopping work`,
    );
  }
}

/** What a term needs of its lease: its session, its confirmations and its loss (see `Lease`). */
export type TermLease = Pick<Lease, 'sessionId' | 'lost' | 'on'>;

export interface TermContext {
  readonly client: ConsulClient;
  readonly lease: TermLease;
  readonly name: string;
  readonly identity: string;
  readonly lockKey: string;
  readonly token: number;
  /** Send time of the acquire round trip: the first confirmation of this term. */
  readonly acquiredSentAt: number;
  readonly budget: SafetyBudget;
  readonly killGraceMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Aborts for stop() or step-down; its reason says which. */
  readonly interrupt: AbortSignal;
}

/**
 * Run one term: the worker runs until it finishes, the deadline passes without a server confirmation,
 * the lease is lost, or the elector is interrupted. The work is always aborted and awaited before this
 * returns, so the caller may release the lock afterwards.
 */
export async function runTerm(
  context: TermContext,
  work: (leadership: Leadership) => Promise<void>,
): Promise<TermEnd> {
  const { lease, budget, clock } = context;
  const workAbort = new AbortController();
  let confirmedAt = context.acquiredSentAt;
  let ended: ((end: TermEnd) => void) | undefined;
  const endOnce = new Promise<TermEnd>((resolve) => (ended = resolve));
  const end = (reason: TermEnd): void => {
    if (ended === undefined) return;
    ended(reason);
    ended = undefined;
    // Stop the work now, synchronously: a handover waits on nothing else, so nothing else goes first.
    if (!workAbort.signal.aborted) workAbort.abort(new AbortedError(`term ended: ${reason}`));
  };

  // The safety deadline, on the injected clock: wake at the deadline the last confirmation set; a
  // confirmation that landed meanwhile moves it, so sleep again until it truly passes.
  const deadlineWatch = new AbortController();
  const watchDeadline = async (): Promise<void> => {
    while (!deadlineWatch.signal.aborted) {
      const since = clock.now() - confirmedAt;
      if (since >= budget.abortAfterMs) {
        context.log.warn({ sinceConfirmMs: Math.round(since) }, 'lost confidence; stopping work');
        workAbort.abort(new LostConfidenceError(since));
        end('lost-confidence');
        return;
      }
      await clock.sleep(budget.abortAfterMs - since, deadlineWatch.signal).catch(() => undefined);
    }
  };
  const deadlineWatched = watchDeadline();
  const deadlineListeners = new Set<(deadlineMs: number) => void>();
  const unsubscribe = lease.on((event) => {
    if (event.type !== 'confirmed' || event.sentAt <= confirmedAt) return;
    confirmedAt = event.sentAt;
    if (workAbort.signal.aborted) return;
    for (const listener of deadlineListeners) listener(confirmedAt + budget.stopDeadlineMs);
  });
  const onLeaseLost = (): void => end('lease-lost');
  const onInterrupt = (): void => end(context.interrupt.reason === 'step-down' ? 'step-down' : 'stop');
  lease.lost.addEventListener('abort', onLeaseLost, { once: true });
  context.interrupt.addEventListener('abort', onInterrupt, { once: true });
  if (lease.lost.aborted) onLeaseLost();
  if (context.interrupt.aborted) onInterrupt();

  const leadership: Leadership = {
    token: context.token,
    identity: context.identity,
    name: context.name,
    lockKey: context.lockKey,
    sessionId: lease.sessionId,
    signal: workAbort.signal,
    isLeading: () => !workAbort.signal.aborted && clock.now() - confirmedAt < budget.abortAfterMs,
    fencedPut: async (key, value) => {
      if (!leadership.isLeading()) throw new AbortedError('not leading: write refused before sending');
      await fencedPut(context.client, { lockKey: context.lockKey, session: lease.sessionId }, key, value);
    },
    stopDeadline: () => confirmedAt + budget.stopDeadlineMs,
    onStopDeadline: (listener) => {
      deadlineListeners.add(listener);
      return () => deadlineListeners.delete(listener);
    },
  };

  // A term interrupted before it began (a pause that raced the acquire, a lease already lost) never
  // starts its work.
  const started = !(lease.lost.aborted || context.interrupt.aborted);
  const workDone = Promise.resolve()
    .then(() => (started ? work(leadership) : undefined))
    .then(
      () => end('work-finished'),
      (error: unknown) => {
        if (!workAbort.signal.aborted) context.log.error({ err: error }, 'worker failed');
        end('work-failed');
      },
    );
  const reason = await endOnce;
  deadlineWatch.abort();
  await deadlineWatched;
  unsubscribe();
  deadlineListeners.clear();
  lease.lost.removeEventListener('abort', onLeaseLost);
  context.interrupt.removeEventListener('abort', onInterrupt);
  if (!workAbort.signal.aborted) workAbort.abort(new AbortedError(`term ended: ${reason}`));
  // Safety depends on the worker honouring its signal within killGrace; say so loudly if it does not.
  const graceOver = new AbortController();
  const stubborn = clock.sleep(context.killGraceMs, graceOver.signal).then(
    () =>
      context.log.error(
        { killGraceMs: context.killGraceMs },
        'worker ignored its abort signal past killGrace',
      ),
    () => undefined,
  );
  await workDone;
  graceOver.abort();
  await stubborn;
  return reason;
}
