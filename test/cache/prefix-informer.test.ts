import { describe, expect, it } from 'vitest';
import { PrefixInformer } from '../../src/cache/prefix-informer.js';
import type { KvChange } from '../../src/cache/diff-snapshots.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

describe('PrefixInformer against a real Consul agent', () => {
  it('syncs with the first list, then reports added, updated and deleted keys as they happen', async () => {
    const { client } = consul.get();
    const prefix = `${uniquePrefix('informer')}/`;
    await client.kv.put(`${prefix}existing`, '0');
    const informer = new PrefixInformer({ client, prefix, waitMs: 10_000 });
    const seen: string[] = [];
    informer.onChange((changes: readonly KvChange[]) => {
      for (const change of changes) seen.push(`${change.type} ${change.key.slice(prefix.length)}`);
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForSync(AbortSignal.timeout(10_000));
    expect(informer.synced).toBe(true);
    expect([...informer.snapshot().keys()]).toEqual([`${prefix}existing`]);
    expect(seen).toEqual(['added existing']);

    const startedAt = Date.now();
    await client.kv.put(`${prefix}a`, '1');
    await waitFor(() => seen.includes('added a'));
    // A blocking query wakes on the write: far sooner than the 10 s wait.
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    await client.kv.put(`${prefix}a`, '2');
    await waitFor(() => seen.includes('updated a'));
    // Deleting the newest key makes the prefix's index go back: the informer must still see it.
    await client.kv.delete(`${prefix}a`);
    await waitFor(() => seen.includes('deleted a'));
    await client.kv.put(`${prefix}elsewhere-sibling`, 'x');
    await waitFor(() => informer.snapshot().has(`${prefix}elsewhere-sibling`));
    expect(informer.snapshot().get(`${prefix}existing`)?.value.toString()).toBe('0');

    abort.abort();
    await running;
    expect(informer.state).toBe('stopped');
    expect(seen).toEqual(['added existing', 'added a', 'updated a', 'deleted a', 'added elsewhere-sibling']);
  });

  it('waitForSync rejects when aborted before the first list', async () => {
    const { client } = consul.get();
    const informer = new PrefixInformer({ client, prefix: `${uniquePrefix('never')}/` });
    await expect(informer.waitForSync(AbortSignal.abort())).rejects.toMatchObject({ code: 'BATON_ABORTED' });
  });

  it('does not re-read an empty prefix on every write elsewhere (Consul wakes such a read for any write)', async () => {
    const { client } = consul.get();
    // No key shares a first character with this prefix, so Consul's watch of it covers the whole store.
    const prefix = `~empty-${uniquePrefix('informer').split('-').pop() ?? ''}/`;
    let reads = 0;
    const counting = Object.assign(Object.create(client) as typeof client, {
      kv: Object.assign(Object.create(client.kv) as typeof client.kv, {
        list: (...args: Parameters<typeof client.kv.list>) => {
          reads += 1;
          return client.kv.list(...args);
        },
      }),
    });
    const informer = new PrefixInformer({ client: counting, prefix, waitMs: 10_000 });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForSync(AbortSignal.timeout(10_000));
    const elsewhere = uniquePrefix('elsewhere');
    const writes = 60;
    for (let i = 0; i < writes; i += 1) {
      await client.kv.put(`${elsewhere}/k`, String(i));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    abort.abort();
    await running;
    expect(informer.snapshot().size).toBe(0);
    // Unpaced, it read about once per write; paced, a few reads per second at most.
    expect(reads, `${reads} reads for ${writes} writes`).toBeLessThan(writes / 3);
  });
});
