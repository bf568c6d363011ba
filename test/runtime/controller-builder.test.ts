import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { EventBus } from '../../src/events/event-bus.js';
import { DeclaredLoops, watches, type LoopDeclaration } from '../../src/runtime/controller-builder.js';
import { done } from '../../src/runtime/reconciler.js';
import { WorkQueue } from '../../src/runtime/work-queue.js';
import { FakeClock, flush } from '../support/fake-clock.js';

interface Change {
  readonly key: string;
}

/** A loop recording the keys it reconciles, fed by `bus` through `map`. */
function loop(
  name: string,
  bus: EventBus<Change>,
  map: (change: Change) => string[],
  resync?: () => string[],
): { declaration: LoopDeclaration<string>; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    declaration: {
      name,
      watches: [watches(`${name} source`, (listener: (c: Change) => void) => bus.on(listener), map)],
      reconciler: {
        reconcile: (key) => {
          seen.push(key);
          return Promise.resolve(done);
        },
      },
      ...(resync === undefined ? {} : { resync }),
    },
  };
}

describe('DeclaredLoops', () => {
  it('maps each source event to its loop keys, reconciles them, and unsubscribes when stopped', async () => {
    const clock = new FakeClock();
    const bus = new EventBus<Change>();
    const records = loop('Record', bus, (c) => (c.key.startsWith('records/') ? [c.key.slice(8)] : []));
    const locks = loop('Lock', bus, (c) => (c.key.startsWith('locks/') ? [c.key.slice(6), 'all'] : []));
    const loops = new DeclaredLoops([records.declaration, locks.declaration], {
      clock,
      queue: () => new WorkQueue({ clock }),
    });
    const abort = new AbortController();
    let ready = false;
    const running = loops.run(abort.signal, () => (ready = true));
    expect(ready).toBe(true);
    bus.emit({ key: 'records/a' });
    bus.emit({ key: 'locks/b' });
    bus.emit({ key: 'other/c' });
    await expect.poll(() => records.seen.length + locks.seen.length).toBe(3);
    expect(records.seen).toEqual(['a']);
    expect(locks.seen.sort()).toEqual(['all', 'b']);
    abort.abort();
    await running;
    bus.emit({ key: 'records/late' });
    await flush();
    expect(records.seen).toEqual(['a']);
  });

  it('revisits every key resync lists, every resyncMs, without any event', async () => {
    const clock = new FakeClock();
    const bus = new EventBus<Change>();
    const records = loop(
      'Record',
      bus,
      () => [],
      () => ['x', 'y'],
    );
    const loops = new DeclaredLoops([records.declaration], {
      clock,
      resyncMs: 1_000,
      queue: () => new WorkQueue({ clock }),
    });
    const abort = new AbortController();
    const running = loops.run(abort.signal);
    await flush();
    expect(records.seen).toEqual([]);
    await clock.advance(1_000);
    await expect.poll(() => records.seen.sort()).toEqual(['x', 'y']);
    abort.abort();
    await running;
  });

  it('refuses two loops with one name', () => {
    const bus = new EventBus<Change>();
    const first = loop('Record', bus, () => []);
    expect(() => new DeclaredLoops([first.declaration, first.declaration])).toThrow(ConfigError);
  });
});
