import { setCondition, type Condition, type ConditionUpdate } from '../api/condition.js';
import { resolveTiming, type Singleton, type SingletonStatus } from '../api/singleton.js';
import type { EventInput } from '../events/event.js';
import type { SingletonEvent } from '../singleton/singleton-events.js';
import type { TermEnding } from '../singleton/holder-record.js';

/** What the controller observed about a singleton's lock and candidates. */
export interface SingletonObservation {
  /** Identity in the lock key's holder record, when a session holds the key. */
  readonly holder?: string;
  readonly holderSession?: string;
  /** ModifyIndex of the held lock key: the holder's fencing token. */
  readonly token?: number;
  /** The lock key's LockIndex (how many acquires it has seen), whether held or not; absent: no key. */
  readonly lockIndex?: number;
  readonly since?: string;
  /** Whether the holding session still exists (false: an orphaned lock). */
  readonly holderSessionAlive: boolean;
  /** Identities of candidates with a live session, sorted. */
  readonly candidates: readonly string[];
  /**
   * How the term before the one observed now ended, as the lock key durably says (so it holds even when no
   * controller watched the change): `released` on purpose (stop, step-down, pause), or `lost` with its
   * session; absent when unknown (no earlier term, a key created anew). Held: from the holder record's
   * `predecessor`; free: from the key's value.
   */
  readonly previousTermEnded?: TermEnding;
}

/** How a holder change came about: a first acquire, a clean handover, or a failover after a lost session. */
export type HolderChange = 'Acquired' | 'HandedOver' | 'FailedOver';

export interface SingletonPlan {
  readonly status: SingletonStatus;
  /** Events to append before the status is written (at-least-once). */
  readonly events: EventInput<SingletonEvent>[];
  /** Look again after this long even without a change (waiting on lock-delay, a pending stand-down). */
  readonly requeueAfterMs?: number;
  /** Set when a new holder is observed: what kind of change it was (for the handover/failover metrics). */
  readonly holderChange?: HolderChange;
}

/**
 * Level-triggered: from the record and what is observed now, the status to write and the events that the
 * difference with the last written status implies. Pure, so it is unit-tested with fake time.
 */
export function planSingletonStatus(
  record: Singleton,
  observed: SingletonObservation,
  now: Date,
): SingletonPlan {
  const previous = record.status;
  const { spec } = record;
  const held = observed.holder !== undefined;
  const holderChanged = (previous?.fencingToken ?? undefined) !== (observed.token ?? undefined);
  const waiting = observed.candidates.filter((identity) => identity !== observed.holder);
  const lockDelayMs = resolveTiming(spec.timing).lockDelayMs;
  let conditions: Condition[] = previous?.conditions ?? [];
  const set = (update: ConditionUpdate): void => {
    conditions = setCondition(conditions, update, now);
  };

  set({ type: 'Invalid', status: 'False', reason: 'SpecValid', message: 'the spec passed validation' });
  set(
    held
      ? {
          type: 'Held',
          status: 'True',
          reason: 'LockHeld',
          message: `held by ${observed.holder ?? ''} (fencing token ${observed.token ?? 0})`,
        }
      : { type: 'Held', status: 'False', reason: 'NoHolder', message: 'no candidate holds the lock' },
  );
  set(available(spec.paused, held, observed));
  set(progressing(spec, held, observed, waiting));
  set(degraded(spec.paused, held, observed));

  const status: SingletonStatus = {
    ...(observed.holder === undefined ? {} : { holder: observed.holder }),
    ...(observed.token === undefined ? {} : { fencingToken: observed.token }),
    ...(observed.since === undefined ? {} : { since: observed.since }),
    ...(observed.lockIndex === undefined ? {} : { lockIndex: observed.lockIndex }),
    transitions: (previous?.transitions ?? 0) + (holderChanged && held ? 1 : 0),
    candidatesSeen: [...observed.candidates],
    observedGeneration: record.metadata.generation,
    conditions,
  };
  const events: EventInput<SingletonEvent>[] = [];
  const missed = missedTerms(previous, observed, holderChanged && held);
  if (missed > 0) {
    // Terms that began and ended between two observations (or while no controller ran) left no holder
    // for us to see: say so, so the history is honest about what it did not record.
    events.push({
      type: 'TermsMissed',
      subject: record.metadata.name,
      observedAt: now.toISOString(),
      reason: 'HistoryGap',
      data: {
        missedTerms: missed,
        fromLockIndex: previous?.lockIndex ?? null,
        toLockIndex: observed.lockIndex ?? null,
      },
    });
  }
  const change = holderChanged && held ? holderChange(observed.previousTermEnded) : undefined;
  if (holderChanged) {
    const common = {
      subject: record.metadata.name,
      observedAt: now.toISOString(),
      data: {
        holder: observed.holder ?? null,
        previousHolder: previous?.holder ?? null,
        fencingToken: observed.token ?? null,
        previousFencingToken: previous?.fencingToken ?? null,
        previousTermEnded: observed.previousTermEnded ?? null,
      },
    };
    events.push(
      change !== undefined
        ? { type: 'HolderChanged', reason: change, ...common }
        : {
            type: 'HolderReleased',
            reason: observed.previousTermEnded === 'lost' ? 'SessionLost' : 'Released',
            ...common,
          },
    );
  }
  const pending = (!held && waiting.length > 0 && !spec.paused) || (spec.paused && held);
  return {
    status,
    events,
    ...(pending ? { requeueAfterMs: lockDelayMs + 1_000 } : {}),
    ...(change === undefined ? {} : { holderChange: change }),
  };
}

/**
 * Only a lost session makes a failover: a holder that released the key on purpose handed over, whether or
 * not anyone watched the gap. With nothing known of an earlier term, the holder simply acquired.
 */
function holderChange(previousTermEnded: TermEnding | undefined): HolderChange {
  if (previousTermEnded === 'released') return 'HandedOver';
  if (previousTermEnded === 'lost') return 'FailedOver';
  return 'Acquired';
}

/**
 * How many acquires of the lock happened that no observation saw a holder for. LockIndex counts acquires;
 * the current holder (when it is new) accounts for one of them. A LockIndex that went backwards means the key
 * was deleted and recreated: nothing can be said, so nothing is claimed.
 */
function missedTerms(
  previous: SingletonStatus | undefined,
  observed: SingletonObservation,
  newHolderSeen: boolean,
): number {
  if (previous?.lockIndex === undefined || observed.lockIndex === undefined) return 0;
  const acquires = observed.lockIndex - previous.lockIndex;
  if (acquires <= 0) return 0;
  return Math.max(0, acquires - (newHolderSeen ? 1 : 0));
}

function available(paused: boolean, held: boolean, observed: SingletonObservation): ConditionUpdate {
  if (paused)
    return {
      type: 'Available',
      status: 'False',
      reason: 'Paused',
      message: 'spec.paused: no worker may run',
    };
  if (held)
    return {
      type: 'Available',
      status: 'True',
      reason: 'WorkerRunning',
      message: `${observed.holder ?? ''} is the worker`,
    };
  if (observed.candidates.length === 0) {
    return {
      type: 'Available',
      status: 'False',
      reason: 'NoCandidates',
      message: 'no candidate is running (start one with baton run)',
    };
  }
  return {
    type: 'Available',
    status: 'False',
    reason: 'Unheld',
    message: 'candidates are waiting for the lock',
  };
}

function progressing(
  spec: Singleton['spec'],
  held: boolean,
  observed: SingletonObservation,
  waiting: readonly string[],
): ConditionUpdate {
  if (spec.paused && held) {
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'StandingDown',
      message: `waiting for ${observed.holder ?? ''} to stand down`,
    };
  }
  if (!spec.paused && !held && waiting.length > 0) {
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'AwaitingHolder',
      message: `${waiting.length} candidate(s) waiting; the lock is free (a hard failover waits out lock-delay)`,
    };
  }
  const preferred = spec.preferredHolder;
  if (held && preferred !== undefined && preferred !== observed.holder && waiting.includes(preferred)) {
    return {
      type: 'Progressing',
      status: 'True',
      reason: 'HandingOver',
      message: `handing over to preferred holder ${preferred}`,
    };
  }
  return { type: 'Progressing', status: 'False', reason: 'Stable', message: 'nothing in flight' };
}

function degraded(paused: boolean, held: boolean, observed: SingletonObservation): ConditionUpdate {
  if (held && !observed.holderSessionAlive) {
    return {
      type: 'Degraded',
      status: 'True',
      reason: 'OrphanedLock',
      message: `the lock is held by session ${observed.holderSession ?? '?'} which no longer exists`,
    };
  }
  if (paused && held) {
    return {
      type: 'Degraded',
      status: 'True',
      reason: 'RunningWhilePaused',
      message: 'a worker still runs although the singleton is paused',
    };
  }
  return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no problem observed' };
}

/** The status of a record whose spec fails its schema: only the Invalid condition, with path and reason. */
export function invalidStatus(
  previous: SingletonStatus | undefined,
  generation: number,
  error: { path: string; message: string },
  now: Date,
): SingletonStatus {
  return {
    transitions: previous?.transitions ?? 0,
    candidatesSeen: previous?.candidatesSeen ?? [],
    observedGeneration: generation,
    conditions: setCondition(
      previous?.conditions ?? [],
      {
        type: 'Invalid',
        status: 'True',
        reason: 'SchemaViolation',
        message: `${error.path}: ${error.message}`,
      },
      now,
    ),
  };
}
