import { describe, expect, it } from 'vitest';
import { Cell } from '../../src/presence/cell.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { Singleton, WorkFailedError } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

describe('library lifecycle against a real Consul agent', () => {
  it('await using: a singleton releases its lock and destroys its session at block exit', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('dispose');
    const lockKey = new KvLayout(root).locks.singleton('worker');
    let session: string | undefined;
    {
      await using singleton = new Singleton({ client, root, name: 'worker', work: untilAborted });
      void singleton.start();
      await waitFor(() => singleton.state === 'leading');
      session = (await client.kv.get(lockKey)).value?.session;
      expect(session).toBeDefined();
    }
    expect((await client.kv.get(lockKey)).value?.session).toBeUndefined();
    if (session === undefined) throw new Error('no session was held');
    expect(await client.session.info(session)).toBeUndefined();
  });

  it('await using: a cell departs (presence key gone) and a watcher stops at block exit', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('dispose-cell');
    const cellKey = new KvLayout(root).presence.cell('c1');
    let watcherRef: PresenceWatcher | undefined;
    {
      await using watcher = new PresenceWatcher({ client, root });
      await using cell = new Cell({ client, root, spec: { id: 'c1', address: '127.0.0.1:1', capacity: {} } });
      watcherRef = watcher;
      await watcher.start();
      await cell.start();
      expect((await client.kv.get(cellKey)).value?.session).toBeDefined();
    }
    expect((await client.kv.get(cellKey)).value).toBeUndefined();
    expect(watcherRef.state).toBe('stopped');
  });

  it('a failing work is not swallowed: start() rejects with WorkFailedError, state failed, lock handed over', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('work-fails');
    const lockKey = new KvLayout(root).locks.singleton('worker');
    const boom = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    const singleton = new Singleton({
      client,
      root,
      name: 'worker',
      work: () => Promise.reject(boom),
    });
    const error: unknown = await singleton.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkFailedError);
    expect(error).toMatchObject({ code: 'BATON_WORK_FAILED', cause: boom });
    expect(singleton.state).toBe('failed');
    expect((await client.kv.get(lockKey)).value?.session).toBeUndefined();
  });
});
