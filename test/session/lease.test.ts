import { afterEach, describe, expect, it } from 'vitest';
import {
  ConsulPermissionError,
  ConsulTimeoutError,
  ConsulHttpError,
  InvalidSessionError,
} from '../../src/consul/errors.js';
import { Lease, type LeaseEvent, type LeaseOptions } from '../../src/session/lease.js';
import { LEASE_DEFAULTS } from '../../src/session/defaults.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { FakeConsul } from './lease-fake-consul.js';

/**
 * The lease's own logic on fake time, against a fake `LeaseConsul`. What this proves: what the lease asks
 * for at open (a passing check, a session tied to it and serfHealth), that the heartbeat passes the check
 * and asks for a confirmation every interval, renews the session every third of its TTL, moves
 * `confirmedAt` only on a confirmed round, retries transient failures, and ends (`lost`) on each of the
 * answers that mean the session is gone (not confirmed, invalidated, check forgotten, permission denied);
 * and what `close()` releases. What it does not prove: that Consul really invalidates the session when the
 * check goes critical, that a confirmation is quorum-acknowledged, or the timing of any of it on a real
 * agent: test/consul/sessions.test.ts, test/singleton and test/cluster do, against real Consul.
 */

const HEARTBEAT_MS = 500;
const CHECK_TTL_MS = 1_500;

const open: Lease[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((lease) => lease.close()));
});

async function openLease(
  consul: FakeConsul,
  clock: FakeClock,
  options: Partial<LeaseOptions> = {},
): Promise<{ lease: Lease; events: LeaseEvent[] }> {
  const lease = await Lease.open({
    client: consul,
    name: 'baton unit',
    checkTtlMs: CHECK_TTL_MS,
    heartbeatIntervalMs: HEARTBEAT_MS,
    lockDelayMs: 15_000,
    behavior: 'release',
    clock,
    ...options,
  });
  open.push(lease);
  const events: LeaseEvent[] = [];
  lease.on((event) => events.push(event));
  await flush();
  return { lease, events };
}

function lostReasons(events: readonly LeaseEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'lost' ? [event.reason] : []));
}

describe('Lease on fake time', () => {
  it('opens a passing check and a session tied to it and to serfHealth', async () => {
    const consul = new FakeConsul();
    const { lease } = await openLease(consul, new FakeClock());
    expect(consul.checks.get(lease.checkId)).toMatchObject({ status: 'passing', ttlMs: CHECK_TTL_MS });
    expect(consul.sessions.get(lease.sessionId)).toMatchObject({
      name: 'baton unit',
      ttlMs: LEASE_DEFAULTS.sessionTtlMs,
      lockDelayMs: 15_000,
      behavior: 'release',
      nodeChecks: ['serfHealth', lease.checkId],
    });
  });

  it('deregisters its check when the session cannot be created', async () => {
    const consul = new FakeConsul();
    consul.failNext.set('create', new ConsulHttpError(500, '/v1/session/create', 'rpc error'));
    await expect(openLease(consul, new FakeClock())).rejects.toBeInstanceOf(ConsulHttpError);
    expect(consul.checks.size).toBe(0);
  });

  it('passes the check and is confirmed every interval', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { lease, events } = await openLease(consul, clock);
    const rounds = 7;
    for (let round = 1; round <= rounds; round++) await clock.advance(HEARTBEAT_MS);
    // The first round runs at open, then one per interval.
    expect(consul.checks.get(lease.checkId)?.passes).toBe(rounds + 1);
    expect(events.filter((event) => event.type === 'confirmed')).toHaveLength(rounds + 1);
    expect(lease.confirmedAt).toBe(clock.now());
    expect(lease.confirmationAgeMs()).toBe(0);
    expect(lease.lost.aborted).toBe(false);
  });

  it('renews the session at the first round a third of its TTL after the last renewal', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { lease } = await openLease(consul, clock);
    const renewals = (): number | undefined => consul.sessions.get(lease.sessionId)?.renewals;
    const firstRenewalAt = Math.ceil(LEASE_DEFAULTS.sessionTtlMs / 3 / HEARTBEAT_MS) * HEARTBEAT_MS;
    await clock.advance(firstRenewalAt - HEARTBEAT_MS);
    expect(renewals()).toBe(0);
    await clock.advance(HEARTBEAT_MS);
    expect(renewals()).toBe(1);
    await clock.advance(firstRenewalAt);
    expect(renewals()).toBe(2);
  });

  it('with slow heartbeats, gives the session three heartbeats of TTL and still renews within it', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const slow = 20_000; // relaxed cell timing: a default 10 s TTL would expire between two renewals
    const { lease } = await openLease(consul, clock, { heartbeatIntervalMs: slow, checkTtlMs: 60_000 });
    const session = (): { ttlMs?: number; renewals: number } | undefined =>
      consul.sessions.get(lease.sessionId);
    expect(session()?.ttlMs).toBe(3 * slow);
    for (let round = 1; round <= 6; round++) await clock.advance(slow);
    // Renewed every round from the first one a third of the TTL on: never 2 x TTL without a renewal.
    expect(session()?.renewals).toBe(6);
    expect(lease.lost.aborted).toBe(false);
  });

  it('retries a round that failed for a transient reason: not lost, and confirmedAt stays put', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { lease, events } = await openLease(consul, clock);
    const before = lease.confirmedAt;
    consul.failNext.set('info', new ConsulTimeoutError('/v1/session/info', HEARTBEAT_MS));
    await clock.advance(HEARTBEAT_MS);
    expect(events.filter((event) => event.type === 'heartbeat-failed')).toHaveLength(1);
    expect(lease.confirmedAt).toBe(before);
    expect(lease.confirmationAgeMs()).toBe(HEARTBEAT_MS);
    await clock.advance(HEARTBEAT_MS);
    expect(lease.confirmedAt).toBe(clock.now());
    expect(lease.lost.aborted).toBe(false);
  });

  const losses: {
    readonly when: string;
    readonly act: (consul: FakeConsul, lease: Lease) => void;
    readonly afterMs: number;
    readonly reason: string;
  }[] = [
    {
      when: 'the servers no longer know the session',
      act: (consul, lease) => consul.sessions.delete(lease.sessionId),
      afterMs: HEARTBEAT_MS,
      reason: 'servers no longer confirm the lease',
    },
    {
      when: 'the session renewal says the session is invalid',
      act: (consul) =>
        consul.failNext.set('renew', new InvalidSessionError(404, '/v1/session/renew', 'session not found')),
      afterMs: LEASE_DEFAULTS.sessionTtlMs,
      reason: 'session invalidated',
    },
    {
      when: 'the agent forgot its check',
      act: (consul, lease) => consul.checks.delete(lease.checkId),
      afterMs: HEARTBEAT_MS,
      reason: 'check no longer registered',
    },
  ];

  it.each(losses)('is lost when $when', async ({ act, afterMs, reason }) => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { lease, events } = await openLease(consul, clock);
    act(consul, lease);
    await clock.advance(afterMs);
    expect(lease.lost.aborted).toBe(true);
    expect(lostReasons(events)).toEqual([reason]);
  });

  it('ends at a permission refusal and stops heartbeating', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { lease, events } = await openLease(consul, clock);
    consul.failNext.set('pass', new ConsulPermissionError('/v1/agent/check/pass', 'Permission denied'));
    await clock.advance(HEARTBEAT_MS);
    expect(lostReasons(events)).toEqual(['permission denied']);
    const passes = consul.checks.get(lease.checkId)?.passes;
    await clock.advance(HEARTBEAT_MS * 4);
    expect(consul.checks.get(lease.checkId)?.passes).toBe(passes);
    expect(clock.pending).toBe(0);
  });

  it('close releases the keys it names, destroys the session and deregisters the check, once', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { lease, events } = await openLease(consul, clock);
    await lease.close(['baton/v1/locks/unit']);
    await lease.close(['baton/v1/locks/unit']);
    expect(consul.released).toEqual([{ key: 'baton/v1/locks/unit', session: lease.sessionId }]);
    expect(consul.sessions.size).toBe(0);
    expect(consul.checks.size).toBe(0);
    expect(lostReasons(events)).toEqual(['closed']);
    expect(clock.pending).toBe(0);
  });
});
