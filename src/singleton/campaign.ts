import { AbortedError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { Lease } from '../session/lease.js';
import type { LeaseConsul } from '../session/lease-consul.js';
import { isAborted, type Clock } from '../time/clock.js';
import { linkSignals } from '../time/linked-signal.js';
import { blockingDeadlineMs } from '../consul/blocking.js';
import type { TimingProfile } from '../api/timing-profile.js';
import { candidateSessionName } from '../layout/session-names.js';
import { decodeHolder, endedTerm, holderRecord, type HolderRecord } from './holder-record.js';
import {
  acquireWithToken,
  holdsKey,
  readFencingToken,
  type LockKeyAcquirer,
  type LockKeyReader,
} from './key-ownership.js';
import { traceHandover } from '../process/handover-trace.js';
import type { DirectiveGate } from './directive-gate.js';

/**
 * The Consul calls of a campaign: the candidate's lease, and reads and the acquire of its lock key. A
 * `ConsulClient` is one; the fake-time unit tests of the elector's states pass a fake.
 */
export type CampaignConsul = LeaseConsul & LockKeyReader & LockKeyAcquirer;

/** How soon to retry an acquire refused while the key was free (lock-delay in force, or a lost race). */
const ACQUIRE_RETRY_MS = 50;
const WAIT_MS = 30_000;

/** What one candidate's campaign needs, fixed for its whole life. */
export interface CampaignContext {
  readonly consul: CampaignConsul;
  readonly lockKey: string;
  readonly identity: string;
  readonly timing: TimingProfile;
  readonly sessionTtlMs: number | undefined;
  readonly gate: DirectiveGate;
  readonly clock: Clock;
  readonly log: Logger;
  /** Whether this candidate leads now: only a holder's heartbeat confirms with a read of its key. */
  readonly leading: () => boolean;
  /** A Consul answer arrived (health tracking). */
  readonly reached: () => void;
  /** The holder as seen on the key (undefined: free). */
  readonly sawHolder: (holder: HolderRecord | undefined) => void;
}

/** A won campaign: the fencing token and the send time of the read that confirmed it. */
export interface Acquired {
  readonly token: number;
  readonly sentAt: number;
}

/** Open the candidate's lease: a session tied to an agent TTL check, lock-delay from the timing profile. */
export function openCandidateLease(context: CampaignContext, signal: AbortSignal): Promise<Lease> {
  const { consul, lockKey, timing } = context;
  return Lease.open(
    {
      client: consul,
      name: candidateSessionName(lockKey, context.identity),
      checkTtlMs: timing.checkTtlMs,
      heartbeatIntervalMs: timing.confirmIntervalMs,
      lockDelayMs: timing.lockDelayMs,
      ...(context.sessionTtlMs === undefined ? {} : { sessionTtlMs: context.sessionTtlMs }),
      behavior: 'release',
      // A holder's confirmation is a consistent read of its own lock key: quorum-confirmed, and it also
      // catches an operator releasing the key out from under us.
      confirm: async (lease, confirmSignal, timeoutMs) => {
        // A waiter needs no server confirmation: a dead session shows when it tries to acquire
        // (InvalidSessionError), and the campaign then opens a new lease.
        if (!context.leading()) return true;
        return holdsKey(consul, lockKey, lease.sessionId, confirmSignal, timeoutMs);
      },
      logger: context.log,
      clock: context.clock,
    },
    signal,
  );
}

/**
 * Wait for the lock key to be free (a blocking query, woken early by a directive change), acquire it with
 * `lease`, and read the fencing token back consistently. `onAcquired` runs as soon as the key is ours, so
 * the caller releases it whatever happens next. Undefined when `signal` aborted first.
 */
export async function acquireWhenFree(
  context: CampaignContext,
  lease: Lease,
  onAcquired: () => void,
  signal: AbortSignal,
): Promise<Acquired | undefined> {
  const { consul, lockKey, gate, clock } = context;
  let index = 0;
  while (!isAborted(signal)) {
    const wake = linkSignals([signal, gate.changed]);
    let read: Awaited<ReturnType<typeof consul.kv.get>>;
    try {
      read = await consul.kv.get(lockKey, {
        signal: wake.signal,
        timeoutMs: blockingDeadlineMs(WAIT_MS),
        ...(index > 0 ? { index, waitMs: WAIT_MS } : {}),
      });
    } catch (error: unknown) {
      if (error instanceof AbortedError && !isAborted(signal)) {
        index = 0; // directives changed: look again now
        continue;
      }
      throw error;
    } finally {
      wake.dispose();
    }
    context.reached();
    context.sawHolder(read.value?.session === undefined ? undefined : decodeHolder(read.value.value));
    index = read.index < index ? 0 : Math.max(1, read.index);
    if (read.value?.session !== undefined && read.value.session !== lease.sessionId) continue;
    traceHandover('waiter-woke');
    if (read.value?.session === undefined && !(await gate.mayAcquire(signal))) {
      // Paused, or the preferred holder is waiting: wait for the key or the directives to change.
      await gate.pause(signal);
      index = 0;
      continue;
    }
    // The free key says how the last term ended (released or lost): the record carries it to the controller.
    const predecessor = read.value === undefined ? undefined : endedTerm(read.value.value);
    const record = JSON.stringify(holderRecord(context.identity, lease.sessionId, new Date(), predecessor));
    if (read.value?.session === lease.sessionId) {
      // Already ours on this lease (an earlier token read failed): read the token back.
      onAcquired();
      const confirmed = await readFencingToken(consul, lockKey, lease.sessionId, clock, signal);
      if (confirmed !== undefined) return confirmed;
      continue;
    }
    // One round trip: the acquire reports the entry it wrote, so its ModifyIndex is the fencing token.
    const acquired = await acquireWithToken(consul, lockKey, record, lease.sessionId, clock, signal);
    if (acquired === undefined) {
      // Free but refused: lock-delay after a hard death, or another candidate won the race.
      await clock.sleep(ACQUIRE_RETRY_MS, signal).catch(() => undefined);
      index = 0;
      continue;
    }
    onAcquired();
    traceHandover('acquire-acked');
    return acquired;
  }
  return undefined;
}
