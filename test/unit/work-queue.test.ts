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
