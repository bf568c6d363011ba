import { describe, expect, it } from 'vitest';
import { blockingLoop } from '../../src/consul/blocking.js';
import { TxnRollbackError } from '../../src/consul/errors.js';
import type { KvEntry } from '../../src/consul/wire.js';
import type { Indexed } from '../../src/consul/kv.js';
import type { ConsulClient } from '../../src/consul/client.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

function watchPrefix(
  client: ConsulClient,
  prefix: string,
  signal: AbortSignal,
): AsyncGenerator<Indexed<KvEntry[]>> {
  return blockingLoop(
    ({ index, waitMs, timeoutMs, signal: s }) =>
      client.kv.list(prefix, { signal: s, timeoutMs, ...(index > 0 ? { index, waitMs } : {}) }),
    { signal, waitMs: 10_000 },
  );
}

describe('blocking prefix watch against a real Consul agent', () => {
  it('wakes on a put and on the delete of the newest key (index goes backwards)', async () => {
    const { client } = consul.get();
    const prefix = `${uniquePrefix('watch')}/`;
    await client.kv.put(`${prefix}old`, '1');
    const controller = new AbortController();
    const seen: string[][] = [];
    const iterator = watchPrefix(client, prefix, controller.signal);
    const next = async (): Promise<string[]> => {
      const result = await iterator.next();
      if (result.done === true) throw new Error('watch ended');
      const keys = result.value.value.map((e) => e.key.slice(prefix.length));
      seen.push(keys);
      return keys;
    };
    expect(await next()).toEqual(['old']);
    setTimeout(() => void client.kv.put(`${prefix}new`, '2'), 200);
    expect(await next()).toEqual(['new', 'old']);
    // Deleting the newest key makes the prefix's X-Consul-Index go backwards; the loop must still report it.
    setTimeout(() => void client.kv.delete(`${prefix}new`), 200);
    expect(await next()).toEqual(['old']);
    controller.abort();
    expect((await iterator.next()).done).toBe(true);
  });

  it('abort ends a pending blocking read promptly', async () => {
    const { client } = consul.get();
    const prefix = `${uniquePrefix('abort')}/`;
    const controller = new AbortController();
    const iterator = watchPrefix(client, prefix, controller.signal);
    await iterator.next(); // first answer is immediate
    const pending = iterator.next(); // this one blocks for up to 10 s
    const started = Date.now();
    setTimeout(() => {
      controller.abort();
    }, 100);
    expect((await pending).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('transactions against a real Consul agent', () => {
  it('roll back whole when one operation fails, with per-op errors', async () => {
    const { client } = consul.get();
    const prefix = uniquePrefix('txn');
    await client.kv.put(`${prefix}/exists`, 'x');
    const attempt = client.txn.run([
      { verb: 'set', key: `${prefix}/a`, value: '1' },
      { verb: 'check-not-exists', key: `${prefix}/exists` },
      { verb: 'set', key: `${prefix}/b`, value: '2' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(TxnRollbackError);
    const error = await attempt.catch((e: unknown) => e);
    expect((error as TxnRollbackError).errors[0]?.opIndex).toBe(1);
    expect((await client.kv.get(`${prefix}/a`)).value).toBeUndefined();
    expect((await client.kv.get(`${prefix}/b`)).value).toBeUndefined();
  });

  it('apply every operation when all succeed, and guard writes with check-session', async () => {
    const { client } = consul.get();
    const prefix = uniquePrefix('txn-ok');
    const session = await client.session.create({ lockDelayMs: 0, nodeChecks: [], ttlMs: 10_000 });
    await client.kv.put(`${prefix}/lock`, 'me', { acquire: session });
    await client.txn.run([
      { verb: 'check-session', key: `${prefix}/lock`, session },
      { verb: 'set', key: `${prefix}/data`, value: 'fenced' },
    ]);
    expect((await client.kv.get(`${prefix}/data`)).value?.value.toString()).toBe('fenced');
    await client.kv.put(`${prefix}/lock`, 'me', { release: session });
    await expect(
      client.txn.run([
        { verb: 'check-session', key: `${prefix}/lock`, session },
        { verb: 'set', key: `${prefix}/data`, value: 'stale' },
      ]),
    ).rejects.toBeInstanceOf(TxnRollbackError);
    expect((await client.kv.get(`${prefix}/data`)).value?.value.toString()).toBe('fenced');
    await client.session.destroy(session);
  });
});
