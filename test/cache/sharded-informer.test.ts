import { describe, expect, it } from 'vitest';
import type { KvChange } from '../../src/cache/diff-snapshots.js';
import { ShardedInformer } from '../../src/cache/sharded-informer.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

describe('ShardedInformer against a real Consul agent', () => {
  it('keeps one cache over disjoint shards: merged snapshot, point lookups, each change once', async () => {
    const { client } = consul.get();
    const root = `${uniquePrefix('sharded')}/`;
    const [a, b, c] = ['00/', '01/', '02/'].map((shard) => `${root}${shard}`);
    if (a === undefined || b === undefined || c === undefined) throw new Error('three shards');
    await client.kv.put(`${a}x`, 'ax');
    await client.kv.put(`${b}y`, 'by');
    // A key beside the shards is not the informer's.
    await client.kv.put(`${root}outside`, 'o');
    const informer = new ShardedInformer({ client, prefixes: [a, b, c], waitMs: 10_000 });
    const seen: string[] = [];
    informer.onChange((changes: readonly KvChange[]) => {
      for (const change of changes) seen.push(`${change.type} ${change.key.slice(root.length)}`);
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForSync(AbortSignal.timeout(10_000));
    expect(informer.synced).toBe(true);
    expect([...informer.snapshot().keys()].sort()).toEqual([`${a}x`, `${b}y`]);
    expect(informer.get(`${a}x`)?.value.toString()).toBe('ax');
    expect(informer.get(`${b}y`)?.value.toString()).toBe('by');
    expect(informer.get(`${c}y`)).toBeUndefined();
    expect(informer.get(`${root}outside`)).toBeUndefined();
    expect(seen.sort()).toEqual(['added 00/x', 'added 01/y']);

    await client.kv.put(`${c}z`, 'cz');
    await waitFor(() => seen.includes('added 02/z'));
    await client.kv.put(`${b}y`, 'by2');
    await waitFor(() => seen.includes('updated 01/y'));
    await client.kv.delete(`${a}x`);
    await waitFor(() => seen.includes('deleted 00/x'));
    expect(informer.get(`${b}y`)?.value.toString()).toBe('by2');
    expect([...informer.snapshot().keys()].sort()).toEqual([`${b}y`, `${c}z`]);
    // Each change was heard once, from its own shard only.
    expect(seen.slice(2)).toEqual(['added 02/z', 'updated 01/y', 'deleted 00/x']);

    await expect(informer.run(abort.signal)).rejects.toMatchObject({ code: 'BATON_INVALID_STATE' });
    abort.abort();
    await running;
  });
});
