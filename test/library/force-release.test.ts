import { describe, expect, it } from 'vitest';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { ErrorCode, forceReleaseLock, Singleton, type Leadership } from '../../src/index.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

describe('forceReleaseLock, the library form of baton force-release-lock, against a real Consul agent', () => {
  it('refuses a live holder without force; with force destroys its session and the worker is cut off', async () => {
    const { client } = consul.get();
    const layout = new KvLayout(uniquePrefix('force'));
    let cut: Leadership | undefined;
    const work = (leadership: Leadership): Promise<void> =>
      new Promise((resolve) => {
        cut = leadership;
        leadership.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    const worker = new Singleton({ client, root: layout.root, name: 'stuck', identity: 'stuck-1', work });
    const run = worker.start();
    await waitFor(() => worker.state === 'leading');
    const session = (await client.kv.get(layout.locks.singleton('stuck'))).value?.session;

    const options = { reason: 'hung', root: layout.root, requestedBy: 'ops@test' };
    expect(await forceReleaseLock(client, 'stuck', options)).toMatchObject({
      outcome: 'alive',
      session,
      holder: 'stuck-1',
    });
    expect(await forceReleaseLock(client, 'stuck', { ...options, force: true })).toMatchObject({
      outcome: 'released',
      session,
      sessionAlive: true,
    });
    await waitFor(() => cut?.signal.aborted === true);
    expect(await client.session.info(session ?? '')).toBeUndefined();
    await worker.stop();
    await run;
  });

  it('no key, a free key, and a name the grammar refuses', async () => {
    const { client } = consul.get();
    const layout = new KvLayout(uniquePrefix('force'));
    const options = { reason: 'r', root: layout.root };
    expect(await forceReleaseLock(client, 'exclusive/nothing', options)).toEqual({
      outcome: 'no-key',
      key: layout.locks.resource('nothing'),
    });
    await client.kv.put(layout.locks.singleton('free'), '');
    expect((await forceReleaseLock(client, 'free', options)).outcome).toBe('not-held');
    await expect(forceReleaseLock(client, 'a.b', options)).rejects.toMatchObject({ code: ErrorCode.Config });
  });
});
