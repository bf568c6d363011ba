import { describe, expect, it } from 'vitest';
import { RetryRateLimiter } from '../../src/runtime/rate-limiter.js';
import { FakeClock } from '../support/fake-clock.js';

describe('RetryRateLimiter: max(per-key backoff, global bucket)', () => {
  it.each<{
    name: string;
    options: ConstructorParameters<typeof RetryRateLimiter>[0];
    keys: string[];
    expected: number[];
  }>([
    {
      name: 'per-key backoff doubles and caps',
      options: { baseDelayMs: 5, maxDelayMs: 30, burst: 100 },
      keys: ['a', 'a', 'a', 'a', 'a'],
      expected: [5, 10, 20, 30, 30],
    },
    {
      name: 'keys back off independently',
      options: { baseDelayMs: 5, maxDelayMs: 1_000, burst: 100 },
      keys: ['a', 'b', 'a', 'b', 'c'],
      expected: [5, 5, 10, 10, 5],
    },
    {
      name: 'an empty bucket outweighs a short per-key delay',
      options: { baseDelayMs: 1, maxDelayMs: 1_000, burst: 2, refillMs: 100 },
      keys: ['a', 'b', 'c', 'd'],
      expected: [1, 1, 100, 200],
    },
  ])('$name', ({ options, keys, expected }) => {
    const limiter = new RetryRateLimiter(options, new FakeClock());
    expect(keys.map((key) => limiter.when(key))).toEqual(expected);
  });

  it('forget starts a key over from the base delay', () => {
    const limiter = new RetryRateLimiter({ baseDelayMs: 5 }, new FakeClock());
    limiter.when('a');
    limiter.when('a');
    expect(limiter.retries('a')).toBe(2);
    limiter.forget('a');
    expect(limiter.when('a')).toBe(5);
  });

  it('the bucket refills with time', async () => {
    const clock = new FakeClock();
    const limiter = new RetryRateLimiter({ baseDelayMs: 1, burst: 1, refillMs: 100 }, clock);
    expect(limiter.when('a')).toBe(1);
    expect(limiter.when('b')).toBe(100);
    await clock.advance(300);
    expect(limiter.when('c')).toBe(1);
  });

  it('rejects nonsense delays with what it got', () => {
    expect(() => new RetryRateLimiter({ baseDelayMs: 0 }, new FakeClock())).toThrow(/got 0/);
  });
});
