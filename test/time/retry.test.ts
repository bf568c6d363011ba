import { describe, expect, it } from 'vitest';
import { RETRY_BACKOFF } from '../../src/time/backoff.js';
import { retryUntil } from '../../src/time/retry.js';
import { FakeClock, flush } from '../support/fake-clock.js';

class Refused extends Error {}

describe('retryUntil', () => {
  it('sleeps the policy backoff after each failure and resolves with the first result', async () => {
    const clock = new FakeClock();
    const failuresSeen: number[] = [];
    let calls = 0;
    const result = retryUntil(
      () => {
        calls += 1;
        return calls < 4 ? Promise.reject(new Error(`try ${calls}`)) : Promise.resolve('done');
      },
      { clock, random: () => 1, onError: (_error, failures) => failuresSeen.push(failures) },
    );
    await flush();
    expect(calls).toBe(1);
    // With random() = 1 the delays are the policy's raw exponential: base, 2 x base, 4 x base.
    await clock.advance(RETRY_BACKOFF.baseMs - 1);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    await clock.advance(RETRY_BACKOFF.baseMs * 2);
    expect(calls).toBe(3);
    await clock.advance(RETRY_BACKOFF.baseMs * 4);
    await expect(result).resolves.toBe('done');
    expect(failuresSeen).toEqual([1, 2, 3]);
  });

  it('undefined means again now, and resets the failure count', async () => {
    const clock = new FakeClock();
    const script: ('fail' | 'again' | 'ok')[] = ['fail', 'fail', 'again', 'fail', 'ok'];
    const failuresSeen: number[] = [];
    const result = retryUntil(
      () => {
        const step = script.shift();
        if (step === 'fail') return Promise.reject(new Error('no'));
        return Promise.resolve(step === 'ok' ? 42 : undefined);
      },
      { clock, onError: (_error, failures) => failuresSeen.push(failures) },
    );
    await clock.advance(RETRY_BACKOFF.maxMs * 3);
    await expect(result).resolves.toBe(42);
    expect(failuresSeen).toEqual([1, 2, 1]);
  });

  it('progressed() resets the count inside a round that then fails', async () => {
    const clock = new FakeClock();
    const failuresSeen: number[] = [];
    let calls = 0;
    const result = retryUntil(
      (attempt) => {
        calls += 1;
        if (calls >= 2) attempt.progressed();
        return calls === 4 ? Promise.resolve('ok') : Promise.reject(new Error('no'));
      },
      { clock, onError: (_error, failures) => failuresSeen.push(failures) },
    );
    await clock.advance(RETRY_BACKOFF.maxMs * 3);
    await expect(result).resolves.toBe('ok');
    expect(failuresSeen).toEqual([1, 1, 1]);
  });

  it('rethrows a failure that is not retryable, at once', async () => {
    const clock = new FakeClock();
    const result = retryUntil(() => Promise.reject(new Refused('denied')), {
      clock,
      retryable: (error) => !(error instanceof Refused),
    });
    await expect(result).rejects.toBeInstanceOf(Refused);
    expect(clock.pending).toBe(0);
  });

  it('resolves undefined when the signal aborts during the backoff sleep', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const result = retryUntil(() => Promise.reject(new Error('down')), { clock, signal: stop.signal });
    await flush();
    expect(clock.pending).toBe(1);
    stop.abort();
    await expect(result).resolves.toBeUndefined();
  });

  it('gives up at giveUpAt with the last failure, never sleeping past it', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const giveUpAt = RETRY_BACKOFF.baseMs * 2.5;
    const result = retryUntil(
      () => {
        calls += 1;
        return Promise.reject(new Error(`failure ${calls}`));
      },
      { clock, giveUpAt, random: () => 1 },
    );
    const settled = result.catch((error: unknown) => error);
    await clock.advance(RETRY_BACKOFF.baseMs); // second call at base
    await clock.advance(RETRY_BACKOFF.baseMs * 1.5); // third call at giveUpAt (clamped from 3 x base)
    expect(calls).toBe(3);
    expect(clock.now()).toBe(giveUpAt);
    await expect(settled).resolves.toMatchObject({ message: 'failure 3' });
  });
});
