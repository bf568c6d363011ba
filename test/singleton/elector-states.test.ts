import { afterEach, describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulPermissionError, ConsulUnreachableError } from '../../src/consul/errors.js';
import { Singleton, WorkFailedError, type SingletonState } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { CAMPAIGN_BACKOFF } from '../../src/time/backoff.js';
import { FakeClock, flush } from '../support/fake-clock.js';
import { FakeConsul } from '../session/lease-fake-consul.js';

/**
 * The elector's state machine (starting → waiting → leading → stopping → stopped / failed) on fake time,
 * its campaign's Consul calls (lease, lock key) answered by an in-memory fake. What this proves: which
 * state follows which answer, that a campaign error backs off on the injected clock (CAMPAIGN_BACKOFF) and a
 * permission refusal does not, that a lost lease ends the term and the candidate campaigns again, that the
 * lock is released and the session destroyed on stop, and what a failed work does. What it does not prove:
 * mutual exclusion across processes, lock-delay, Consul's real blocking queries, directives or the
 * preferred holder (all off here): test/singleton/*.test.ts and test/cluster do, against real Consul.
 */

const running: Singleton[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((singleton) => singleton.stop()));
});

interface Candidate {
  readonly singleton: Singleton;
  readonly states: SingletonState[];
  readonly terms: Leadership[];
  readonly started: Promise<void>;
}

function candidate(
  consul: FakeConsul,
  clock: FakeClock,
  work: (leadership: Leadership) => Promise<void> = untilAborted,
): Candidate {
  const singleton = new Singleton({
    // Unused: directives are off and the work does not write (the term's fenced writes use the client).
    client: new ConsulClient({ baseUrl: 'http://127.0.0.1:1' }),
    campaignConsul: consul,
    name: 'unit',
    identity: 'me',
    directives: false,
    clock,
    work: (leadership) => {
      terms.push(leadership);
      return work(leadership);
    },
  });
  const states: SingletonState[] = [];
  const terms: Leadership[] = [];
  singleton.on('state', (state) => states.push(state));
  running.push(singleton);
  const started = singleton.start();
  started.catch(() => undefined);
  return { singleton, states, terms, started };
}

function untilAborted(leadership: Leadership): Promise<void> {
  return new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve()));
}

const lockKey = 'baton/v1/locks/unit';

describe('Singleton states on fake time', () => {
  it('leads on a free key and stops cleanly: lock released, session destroyed', async () => {
    const consul = new FakeConsul();
    const { singleton, states, terms } = candidate(consul, new FakeClock());
    await flush();
    expect(singleton.state).toBe('leading');
    expect(terms).toHaveLength(1);
    expect(consul.entries.get(lockKey)?.session).toBeDefined();
    await singleton.stop();
    expect(states).toEqual(['starting', 'waiting', 'leading', 'stopping', 'stopped']);
    expect(terms[0]?.signal.aborted).toBe(true);
    expect(consul.entries.get(lockKey)?.session).toBeUndefined();
    expect(consul.sessions.size).toBe(0);
    expect(consul.checks.size).toBe(0);
  });

  it('waits while another session holds the key, and leads once it is released', async () => {
    const consul = new FakeConsul();
    const other = await consul.session.create({ lockDelayMs: 0, nodeChecks: [] });
    consul.write(lockKey, 'someone else', other);
    const { singleton } = candidate(consul, new FakeClock());
    await flush();
    expect(singleton.state).toBe('waiting');
    consul.invalidate(other);
    await flush();
    expect(singleton.state).toBe('leading');
  });

  it('backs off on the injected clock after a campaign error, then campaigns again', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    consul.failNext.set('create', new ConsulUnreachableError('127.0.0.1:8500'));
    const { singleton } = candidate(consul, clock);
    await flush();
    expect(singleton.state).toBe('starting');
    expect(singleton.consul.reachable).toBe(false);
    expect(consul.checks.size).toBe(0); // the half-opened lease's check was taken back
    await clock.advance(CAMPAIGN_BACKOFF.baseMs * (1 - (CAMPAIGN_BACKOFF.jitter ?? 0)) - 1);
    expect(singleton.state).toBe('starting');
    await clock.advance(CAMPAIGN_BACKOFF.baseMs);
    expect(singleton.state).toBe('leading');
    expect(singleton.consul.reachable).toBe(true);
  });

  it('fails at once, without retrying, when Consul refuses the token', async () => {
    const consul = new FakeConsul();
    consul.failNext.set('create', new ConsulPermissionError('/v1/session/create', 'Permission denied'));
    const { singleton, states, started } = candidate(consul, new FakeClock());
    await expect(started).rejects.toBeInstanceOf(ConsulPermissionError);
    expect(states).toEqual(['starting', 'failed']);
    expect(singleton.state).toBe('failed');
  });

  it('ends the term when the lease is lost and campaigns again on a new lease', async () => {
    const consul = new FakeConsul();
    const clock = new FakeClock();
    const { singleton, states, terms } = candidate(consul, clock);
    await flush();
    const first = consul.entries.get(lockKey)?.session;
    expect(first).toBeDefined();
    consul.invalidate(first ?? '');
    await clock.advance(singleton.timing.confirmIntervalMs);
    expect(terms[0]?.signal.aborted).toBe(true);
    expect(singleton.state).toBe('leading');
    expect(terms).toHaveLength(2);
    expect(consul.entries.get(lockKey)?.session).not.toBe(first);
    expect(states).toEqual(['starting', 'waiting', 'leading', 'stopping', 'waiting', 'leading']);
  });

  it('stops in state failed when the work throws, after handing the lock back', async () => {
    const consul = new FakeConsul();
    const { singleton, started } = candidate(consul, new FakeClock(), () =>
      Promise.reject(new Error('boom')),
    );
    await expect(started).rejects.toBeInstanceOf(WorkFailedError);
    expect(singleton.state).toBe('failed');
    expect(consul.entries.get(lockKey)?.session).toBeUndefined();
    expect(consul.sessions.size).toBe(0);
  });
});
