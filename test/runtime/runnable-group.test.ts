import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors.js';
import { NotReadyError, runnable, type Runnable } from '../../src/runtime/runnable.js';
import { RunnableGroup } from '../../src/runtime/runnable-group.js';
import { flush } from '../support/fake-clock.js';

/** A part that records what happens to it and can be made ready or failed from the test. */
class Part implements Runnable {
  readonly events: string[];
  ready: () => void = () => undefined;
  fail: (error: Error) => void = () => undefined;

  constructor(
    readonly name: string,
    events: string[],
  ) {
    this.events = events;
  }

  run(signal: AbortSignal, ready: () => void): Promise<void> {
    this.events.push(`start ${this.name}`);
    this.ready = ready;
    return new Promise((resolve, reject) => {
      let ended = false;
      this.fail = (error) => {
        ended = true;
        reject(error);
      };
      signal.addEventListener('abort', () => {
        if (ended) return;
        this.events.push(`stop ${this.name}`);
        resolve();
      });
    });
  }
}

describe('RunnableGroup', () => {
  it('starts in order, waits for readiness where asked, stops in reverse order', async () => {
    const events: string[] = [];
    const server = new Part('server', events);
    const tails = new Part('tails', events);
    const election = new Part('election', events);
    let groupReady = false;
    const group = new RunnableGroup({
      name: 'daemon',
      members: [{ runnable: server, waitReady: true }, { runnable: tails }, { runnable: election }],
    });
    const stop = new AbortController();
    const running = group.run(stop.signal, () => (groupReady = true));
    await flush();
    expect(events).toEqual(['start server']);
    server.ready();
    await flush();
    expect(events).toEqual(['start server', 'start tails', 'start election']);
    expect(groupReady).toBe(true);
    stop.abort();
    await expect(running).resolves.toBeUndefined();
    expect(events.slice(3)).toEqual(['stop election', 'stop tails', 'stop server']);
  });

  it('stops every member on the first failure and rejects with that failure', async () => {
    const events: string[] = [];
    const server = new Part('server', events);
    const election = new Part('election', events);
    const group = new RunnableGroup({
      name: 'daemon',
      members: [{ runnable: server }, { runnable: election }],
    });
    const running = group.run(new AbortController().signal);
    await flush();
    const denied = new Error('permission denied');
    election.fail(denied);
    await expect(running).rejects.toBe(denied);
    expect(events).toEqual(['start server', 'start election', 'stop server']);
  });

  it('a failure while waiting for readiness starts nothing after it', async () => {
    const events: string[] = [];
    const server = new Part('server', events);
    const later = new Part('later', events);
    const group = new RunnableGroup({
      name: 'daemon',
      members: [{ runnable: server, waitReady: true }, { runnable: later }],
    });
    const running = group.run(new AbortController().signal);
    await flush();
    server.fail(new Error('port in use'));
    await expect(running).rejects.toThrow('port in use');
    expect(events).toEqual(['start server']);
  });

  it('a member that ends before its readiness fails the group; one that just ends does not', async () => {
    const events: string[] = [];
    const oneShot = runnable('one-shot', () => Promise.resolve());
    const keeper = new Part('keeper', events);
    const stop = new AbortController();
    const running = new RunnableGroup({
      name: 'g',
      members: [{ runnable: oneShot }, { runnable: keeper }],
    }).run(stop.signal);
    await flush();
    expect(events).toEqual(['start keeper']);
    stop.abort();
    await expect(running).resolves.toBeUndefined();

    const early = runnable('cache', () => Promise.resolve());
    const failing = new RunnableGroup({ name: 'g', members: [{ runnable: early, waitReady: true }] });
    await expect(failing.run(new AbortController().signal)).rejects.toBeInstanceOf(NotReadyError);
  });

  it('an AbortedError after being asked to stop is a clean stop', async () => {
    const rejecting = runnable(
      'rejects-on-abort',
      (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new AbortedError('stopped'))),
        ),
    );
    const stop = new AbortController();
    const running = new RunnableGroup({ name: 'g', members: [{ runnable: rejecting }] }).run(stop.signal);
    await flush();
    stop.abort();
    await expect(running).resolves.toBeUndefined();
  });
});
