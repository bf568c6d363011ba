import { describe, expect, it } from 'vitest';
import { SingletonSchema, type Singleton } from '../../src/api/singleton.js';
import {
  invalidStatus,
  planSingletonStatus,
  type SingletonObservation,
} from '../../src/controllers/singleton-plan.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const T1 = new Date('2026-01-01T00:01:00.000Z');

function record(spec: Record<string, unknown> = {}, status?: Singleton['status']): Singleton {
  return SingletonSchema.parse({
    apiVersion: 'baton/v1',
    kind: 'Singleton',
    metadata: { name: 'converger', generation: 3 },
    spec,
    ...(status === undefined ? {} : { status }),
  });
}

const held = (holder: string, token: number, candidates = [holder]): SingletonObservation => ({
  holder,
  holderSession: `s-${holder}`,
  token,
  since: T0.toISOString(),
  holderSessionAlive: true,
  candidates,
});
const free = (candidates: string[]): SingletonObservation => ({ holderSessionAlive: false, candidates });

const condition = (status: Singleton['status'], type: string): string | undefined => {
  const found = status?.conditions.find((c) => c.type === type);
  return found === undefined ? undefined : `${found.status}/${found.reason}`;
};

describe('planSingletonStatus', () => {
  it.each([
    {
      name: 'held',
      spec: {},
      observed: held('a', 10),
      Held: 'True/LockHeld',
      Available: 'True/WorkerRunning',
      Progressing: 'False/Stable',
      Degraded: 'False/AsExpected',
      requeue: false,
    },
    {
      name: 'free, candidates waiting',
      spec: {},
      observed: free(['a', 'b']),
      Held: 'False/NoHolder',
      Available: 'False/Unheld',
      Progressing: 'True/AwaitingHolder',
      Degraded: 'False/AsExpected',
      requeue: true,
    },
    {
      name: 'free, no candidates',
      spec: {},
      observed: free([]),
      Held: 'False/NoHolder',
      Available: 'False/NoCandidates',
      Progressing: 'False/Stable',
      Degraded: 'False/AsExpected',
      requeue: false,
    },
    {
      name: 'paused but still held',
      spec: { paused: true },
      observed: held('a', 10),
      Held: 'True/LockHeld',
      Available: 'False/Paused',
      Progressing: 'True/StandingDown',
      Degraded: 'True/RunningWhilePaused',
      requeue: true,
    },
    {
      name: 'paused and free',
      spec: { paused: true },
      observed: free(['a']),
      Held: 'False/NoHolder',
      Available: 'False/Paused',
      Progressing: 'False/Stable',
      Degraded: 'False/AsExpected',
      requeue: false,
    },
    {
      name: 'preferred holder waiting',
      spec: { preferredHolder: 'b' },
      observed: held('a', 10, ['a', 'b']),
      Held: 'True/LockHeld',
      Available: 'True/WorkerRunning',
      Progressing: 'True/HandingOver',
      Degraded: 'False/AsExpected',
      requeue: false,
    },
    {
      name: 'orphaned lock',
      spec: {},
      observed: { ...held('a', 10), holderSessionAlive: false },
      Held: 'True/LockHeld',
      Available: 'True/WorkerRunning',
      Progressing: 'False/Stable',
      Degraded: 'True/OrphanedLock',
      requeue: false,
    },
  ])('$name', ({ spec, observed, Held, Available, Progressing, Degraded, requeue }) => {
    const plan = planSingletonStatus(record(spec), observed, T0);
    expect(condition(plan.status, 'Held')).toBe(Held);
    expect(condition(plan.status, 'Available')).toBe(Available);
    expect(condition(plan.status, 'Progressing')).toBe(Progressing);
    expect(condition(plan.status, 'Degraded')).toBe(Degraded);
    expect(condition(plan.status, 'Invalid')).toBe('False/SpecValid');
    expect(plan.status.observedGeneration).toBe(3);
    expect(plan.requeueAfterMs !== undefined).toBe(requeue);
  });

  it('emits one event per holder change and counts transitions', () => {
    const first = planSingletonStatus(record(), held('a', 10), T0);
    expect(first.events.map((e) => `${e.type}/${e.reason}`)).toEqual(['HolderChanged/Acquired']);
    expect(first.status.transitions).toBe(1);
    const same = planSingletonStatus(record({}, first.status), held('a', 10), T1);
    expect(same.events).toEqual([]);
    expect(same.status.transitions).toBe(1);
    const next = planSingletonStatus(
      record({}, first.status),
      { ...held('b', 42), previousTermEnded: 'lost' },
      T1,
    );
    expect(next.events.map((e) => `${e.type}/${e.reason}`)).toEqual(['HolderChanged/FailedOver']);
    expect(next.events[0]?.data).toMatchObject({
      holder: 'b',
      previousHolder: 'a',
      fencingToken: 42,
      previousFencingToken: 10,
    });
    expect(next.status.transitions).toBe(2);
    const released = planSingletonStatus(record({}, next.status), free(['b']), T1);
    expect(released.events.map((e) => e.type)).toEqual(['HolderReleased']);
    expect(released.status.holder).toBeUndefined();
  });

  it.each([
    // A holder that released the lock on purpose handed over, whether or not the gap was observed.
    { name: 'direct, after a release', seenFree: false, ended: 'released', reason: 'HandedOver' },
    { name: 'after a seen release', seenFree: true, ended: 'released', reason: 'HandedOver' },
    // Only a lost session is a failover.
    { name: 'direct, after a lost session', seenFree: false, ended: 'lost', reason: 'FailedOver' },
    { name: 'after a seen loss', seenFree: true, ended: 'lost', reason: 'FailedOver' },
    // Nothing known of the term before (a key created anew): the new holder simply acquired.
    { name: 'direct, unknown end', seenFree: false, ended: undefined, reason: 'Acquired' },
  ] as const)('a new holder $name is $reason', ({ seenFree, ended, reason }) => {
    const end = ended === undefined ? {} : { previousTermEnded: ended };
    let status = planSingletonStatus(record(), held('a', 10), T0).status;
    if (seenFree) {
      const gap = planSingletonStatus(record({}, status), { ...free(['b']), ...end }, T1);
      const released = ended === 'lost' ? 'SessionLost' : 'Released';
      expect(gap.events.map((e) => `${e.type}/${e.reason}`)).toEqual([`HolderReleased/${released}`]);
      expect(gap.holderChange).toBeUndefined();
      status = gap.status;
    }
    const next = planSingletonStatus(record({}, status), { ...held('b', 42), ...end }, T1);
    expect(next.events.map((e) => `${e.type}/${e.reason}`)).toEqual([`HolderChanged/${reason}`]);
    expect(next.holderChange).toBe(reason);
    expect(next.events[0]?.data).toMatchObject({ previousTermEnded: ended ?? null });
    // The same holder seen again is no change at all.
    expect(
      planSingletonStatus(record({}, next.status), { ...held('b', 42), ...end }, T1).holderChange,
    ).toBeUndefined();
  });

  it('marks terms that began and ended between two observations as a history gap', () => {
    const at = (observation: SingletonObservation, lockIndex: number): SingletonObservation => ({
      ...observation,
      lockIndex,
    });
    const first = planSingletonStatus(record(), at(held('a', 10), 1), T0);
    expect(first.events.map((e) => e.type)).toEqual(['HolderChanged']);
    expect(first.status.lockIndex).toBe(1);
    // Two more acquires happened; one of them is the holder seen now: one term went unrecorded.
    const jumped = planSingletonStatus(
      record({}, first.status),
      at({ ...held('c', 50), previousTermEnded: 'lost' }, 3),
      T1,
    );
    expect(jumped.events.map((e) => `${e.type}/${e.reason}`)).toEqual([
      'TermsMissed/HistoryGap',
      'HolderChanged/FailedOver',
    ]);
    expect(jumped.events[0]?.data).toEqual({ missedTerms: 1, fromLockIndex: 1, toLockIndex: 3 });
    // Nobody holds it now, but two terms came and went since: both missed.
    const gone = planSingletonStatus(record({}, jumped.status), at(free([]), 5), T1);
    expect(gone.events.map((e) => e.type)).toEqual(['TermsMissed', 'HolderReleased']);
    expect(gone.events[0]?.data).toMatchObject({ missedTerms: 2 });
    // A direct successor is no gap; a key recreated (LockIndex backwards) claims nothing.
    expect(planSingletonStatus(record({}, first.status), at(held('b', 20), 2), T1).events).toHaveLength(1);
    expect(planSingletonStatus(record({}, jumped.status), at(held('d', 90), 1), T1).events).toHaveLength(1);
    // A status written before LockIndex was recorded cannot tell: no marker.
    const legacy = { ...first.status, lockIndex: undefined };
    expect(planSingletonStatus(record({}, legacy), at(held('b', 20), 7), T1).events).toHaveLength(1);
  });

  it('moves lastTransitionTime only when a condition flips', () => {
    const first = planSingletonStatus(record(), held('a', 10), T0);
    const again = planSingletonStatus(record({}, first.status), held('a', 10), T1);
    const heldAt = (s: Singleton['status']): string | undefined =>
      s?.conditions.find((c) => c.type === 'Held')?.lastTransitionTime;
    expect(heldAt(again.status)).toBe(T0.toISOString());
    const lost = planSingletonStatus(record({}, again.status), free([]), T1);
    expect(heldAt(lost.status)).toBe(T1.toISOString());
  });

  it('an invalid spec yields Invalid=True with the path and reason, keeping the rest', () => {
    const status = invalidStatus(
      undefined,
      4,
      { path: 'spec.timing.lockDelay', message: 'not a duration' },
      T0,
    );
    expect(condition(status, 'Invalid')).toBe('True/SchemaViolation');
    expect(status.conditions[0]?.message).toBe('spec.timing.lockDelay: not a duration');
    expect(status.observedGeneration).toBe(4);
  });
});
