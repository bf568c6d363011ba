import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { silentLogger } from '../../src/log/logger.js';
import type { LeaseEvent } from '../../src/session/lease.js';
import { LostConfidenceError, runTerm, type Leadership, type TermLease } from '../../src/singleton/term.js';
import { DEFAULT_TIMING, safetyBudget } from '../../src/api/timing-profile.js';
import { FakeClock, flush } from '../support/fake-clock.js';

/**
 * The term's safety deadline on fake time. What this proves: the pure rule "no confirmation for
 * abortAfterMs → abort the work, end the term" and that confirmations move the deadline. It does not
 * prove that a real lease's confirmations are server-acknowledged: test/singleton and test/cluster do,
 * against real Consul agents.
 */
class FakeLease implements TermLease {
  readonly sessionId = 'session-1';
  readonly #lost = new AbortController();
  readonly #listeners = new Set<(event: LeaseEvent) => void>();

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  on(listener: (event: LeaseEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  confirm(sentAt: number): void {
    for (const listener of this.#listeners) listener({ type: 'confirmed', sentAt });
  }

  lose(): void {
    this.#lost.abort();
  }
}

const budget = safetyBudget(DEFAULT_TIMING);

function startTerm(clock: FakeClock, lease: FakeLease, interrupt = new AbortController().signal) {
  let leadership: Leadership | undefined;
  const work = (granted: Leadership): Promise<void> => {
    leadership = granted;
    return new Promise((resolve) => granted.signal.addEventListener('abort', () => resolve()));
  };
  const ended = runTerm(
    {
      // The term never writes in these tests (fencedPut is the only use of the client): nothing listens.
      client: new ConsulClient({ baseUrl: 'http://127.0.0.1:1' }),
      lease,
      name: 'unit',
      identity: 'me',
      lockKey: 'baton/v1/locks/unit',
      token: 7,
      acquiredSentAt: clock.now(),
      budget,
      killGraceMs: DEFAULT_TIMING.killGraceMs,
      clock,
      log: silentLogger,
      interrupt,
    },
    work,
  );
  return { ended, leadership: () => leadership };
}

describe('runTerm safety deadline (fake time)', () => {
  it('aborts the work exactly when abortAfterMs passes without a confirmation', async () => {
    const clock = new FakeClock();
    const { ended, leadership } = startTerm(clock, new FakeLease());
    await clock.advance(budget.abortAfterMs - 1);
    expect(leadership()?.isLeading()).toBe(true);
    expect(leadership()?.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(leadership()?.signal.reason).toBeInstanceOf(LostConfidenceError);
    await expect(ended).resolves.toBe('lost-confidence');
    expect(clock.pending).toBe(0);
  });

  it('each confirmation moves the deadline and the stop deadline forward', async () => {
    const clock = new FakeClock();
    const lease = new FakeLease();
    const { ended, leadership } = startTerm(clock, lease);
    const deadlines: number[] = [];
    await flush();
    leadership()?.onStopDeadline((ms) => deadlines.push(ms));
    for (let round = 0; round < 5; round += 1) {
      await clock.advance(budget.abortAfterMs - 1);
      lease.confirm(clock.now());
      expect(deadlines.at(-1)).toBe(clock.now() + budget.stopDeadlineMs);
    }
    expect(leadership()?.signal.aborted).toBe(false);
    const lastConfirm = clock.now();
    await clock.advance(budget.abortAfterMs);
    await expect(ended).resolves.toBe('lost-confidence');
    expect(clock.now() - lastConfirm).toBe(budget.abortAfterMs);
  });

  it('a confirmation sent before the last one does not extend the term', async () => {
    const clock = new FakeClock();
    const lease = new FakeLease();
    const { ended } = startTerm(clock, lease);
    const start = clock.now();
    await clock.advance(budget.abortAfterMs / 2);
    lease.confirm(start - 1);
    await clock.advance(budget.abortAfterMs / 2);
    await expect(ended).resolves.toBe('lost-confidence');
  });

  it('ends with lease-lost or stop, and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const lease = new FakeLease();
    const lost = startTerm(clock, lease);
    await clock.advance(10);
    lease.lose();
    await expect(lost.ended).resolves.toBe('lease-lost');
    expect(clock.pending).toBe(0);

    const interrupt = new AbortController();
    const stopped = startTerm(clock, new FakeLease(), interrupt.signal);
    await clock.advance(10);
    interrupt.abort('step-down');
    await expect(stopped.ended).resolves.toBe('step-down');
    expect(clock.pending).toBe(0);
  });
});
