import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/runtime/work-queue.js';
import { FakeClock, flush } from '../support/fake-clock.js';

/** Take every key that is ready now, without waiting. */
async function drain(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
  }
  return keys;
}

describe('WorkQueue', () => {
  it.each<{ name: string; adds: string[]; expected: string[] }>([
    { name: 'one add, one key', adds: ['a'], expected: ['a'] },
    { name: 'many adds of one key collapse into one', adds: ['a', 'a', 'a'], expected: ['a'] },
    { name: 'first-in first-out across keys', adds: ['b', 'a', 'b', 'c', 'a'], expected: ['b', 'a', 'c'] },
  ])('$name', async ({ adds, expected }) => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    for (const key of adds) queue.add(key);
    expect(await drain(queue)).toEqual(expected);
  });

  it('never hands out a key that is processing; an add meanwhile queues it once at done', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('a');
    const first = await queue.get();
    expect(first).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(0);
    queue.add('b');
    expect(await drain(queue)).toEqual(['b']);
    queue.done('a');
    expect(await drain(queue)).toEqual(['a']);
    queue.done('a');
    expect(queue.length).toBe(0);
  });

  it('wakes a waiting get when a key arrives', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    let got: string | undefined;
    const waiting = queue.get().then((key) => (got = key));
    await flush();
    expect(got).toBeUndefined();
    queue.add('x');
    await waiting;
    expect(got).toBe('x');
  });

  it('addAfter adds when the delay passes and keeps the earliest of several', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('a', 100);
    queue.addAfter('a', 50);
    queue.addAfter('a', 200);
    await clock.advance(49);
    expect(queue.length).toBe(0);
    await clock.advance(1);
    expect(await drain(queue)).toEqual(['a']);
    await clock.advance(500);
    expect(queue.length).toBe(0);
  });

  it('addRateLimited backs off exponentially per key until forget', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock, rateLimiter: { baseDelayMs: 10, maxDelayMs: 1_000 } });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const start = clock.now();
      queue.addRateLimited('a');
      while (queue.length === 0) await clock.advance(1);
      delays.push(clock.now() - start);
      const key = await queue.get();
      queue.done(key ?? '');
    }
    expect(delays).toEqual([10, 20, 40, 80]);
    expect(queue.retries('a')).toBe(4);
    queue.forget('a');
    expect(queue.retries('a')).toBe(0);
  });

  it('shutDown wakes waiters with undefined, drops delayed keys and refuses new ones', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('later', 100);
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('x');
    await clock.advance(200);
    expect(queue.length).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it('get rejects when its signal aborts', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const controller = new AbortController();
    const waiting = queue.get(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'BATON_ABORTED' });
  });
});

describe('WorkQueue observer (what the work-queue metrics are made of)', () => {
  function recording() {
    const seen: string[] = [];
    return {
      seen,
      observer: {
        added: () => seen.push('added'),
        retried: () => seen.push('retried'),
        started: (queuedMs: number) => seen.push(`started after ${queuedMs}ms`),
        finished: (workMs: number) => seen.push(`finished after ${workMs}ms`),
      },
    };
  }

  it('counts an add once per dirty key and times the wait and the work on the queue clock', async () => {
    const clock = new FakeClock();
    const { seen, observer } = recording();
    const queue = new WorkQueue({ clock, observer });
    queue.add('a');
    queue.add('a'); // collapsed into the pending one: not an add
    await clock.advance(250);
    const key = await queue.get();
    expect(key).toBe('a');
    await clock.advance(40);
    expect(queue.longestRunningMs()).toBe(40);
    await clock.advance(60);
    queue.done('a');
    expect(queue.longestRunningMs()).toBe(0);
    expect(seen).toEqual(['added', 'started after 250ms', 'finished after 100ms']);
  });

  it('reports a retry for addRateLimited, and the longest of several running keys', async () => {
    const clock = new FakeClock();
    const { seen, observer } = recording();
    const queue = new WorkQueue({ clock, observer });
    queue.add('a');
    await queue.get();
    await clock.advance(30);
    queue.add('b');
    await queue.get();
    await clock.advance(20);
    expect(queue.longestRunningMs()).toBe(50);
    queue.done('a');
    expect(queue.longestRunningMs()).toBe(20);
    queue.addRateLimited('a');
    expect(seen.filter((event) => event === 'retried')).toHaveLength(1);
    queue.done('b');
  });
});
