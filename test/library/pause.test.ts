import { describe, expect, it } from 'vitest';
import { ErrorCode, Singleton, setSingletonPaused, type Leadership } from '../../src/index.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

describe('setSingletonPaused, the library form of baton pause/resume, against a real Consul agent', () => {
  it('pause creates the record and the worker stands down; resume lets it acquire again', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('pause');
    const worker = new Singleton({ client, root, name: 'worker', identity: 'a', work: untilAborted });
    const run = worker.start();
    await waitFor(() => worker.state === 'leading');

    expect((await setSingletonPaused(client, 'worker', true, { root })).action).toBe('created');
    await waitFor(() => worker.state === 'waiting');
    expect((await setSingletonPaused(client, 'worker', true, { root })).action).toBe('unchanged');
    expect((await setSingletonPaused(client, 'worker', false, { root })).action).toBe('configured');
    await waitFor(() => worker.state === 'leading');
    await worker.stop();
    await run;
  });

  it('resuming a singleton without a record is RecordNotFoundError; nothing is written', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('pause');
    await expect(setSingletonPaused(client, 'worker', false, { root })).rejects.toMatchObject({
      code: ErrorCode.StoreNotFound,
    });
    expect((await client.kv.list(`${root}/`)).value).toEqual([]);
  });
});
