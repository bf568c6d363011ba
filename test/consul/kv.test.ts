import { describe, expect, it } from 'vitest';
import { InvalidSessionError } from '../../src/consul/errors.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

describe('KV against a real Consul agent', () => {
  it('cas=0 creates only if absent, and a stale ModifyIndex loses', async () => {
    const { client } = consul.get();
    const key = `${uniquePrefix('cas')}/k`;
    expect(await client.kv.put(key, 'first', { cas: 0 })).toBe(true);
    expect(await client.kv.put(key, 'second', { cas: 0 })).toBe(false);
    const { value: entry } = await client.kv.get(key);
    expect(entry?.value.toString()).toBe('first');
    const index = entry?.modifyIndex ?? -1;
    expect(await client.kv.put(key, 'third', { cas: index })).toBe(true);
    expect(await client.kv.put(key, 'fourth', { cas: index })).toBe(false);
    expect((await client.kv.get(key)).value?.value.toString()).toBe('third');
  });

  it('round-trips binary values and uint64 flags without losing precision', async () => {
    const { client } = consul.get();
    const key = `${uniquePrefix('flags')}/k`;
    const flags = 0x2ddccbc058a50c18n;
    const bytes = Uint8Array.from([0, 255, 10, 13, 34]);
    expect(await client.kv.put(key, bytes, { flags })).toBe(true);
    const { value: entry } = await client.kv.get(key, { consistency: 'consistent' });
    expect(entry?.flags).toBe(flags);
    expect([...(entry?.value ?? [])]).toEqual([...bytes]);
  });

  it('acquire sets the holder and bumps LockIndex; release clears it and keeps LockIndex', async () => {
    const { client } = consul.get();
    const key = `${uniquePrefix('acquire')}/lock`;
    const a = await client.session.create({ lockDelayMs: 0, nodeChecks: [], ttlMs: 10_000 });
    const b = await client.session.create({ lockDelayMs: 0, nodeChecks: [], ttlMs: 10_000 });
    expect(await client.kv.put(key, 'a', { acquire: a })).toBe(true);
    expect(await client.kv.put(key, 'b', { acquire: b })).toBe(false);
    let entry = (await client.kv.get(key)).value;
    expect(entry?.session).toBe(a);
    expect(entry?.lockIndex).toBe(1);
    // Re-acquiring by the same holder updates the value but does not bump LockIndex.
    expect(await client.kv.put(key, 'a2', { acquire: a })).toBe(true);
    expect((await client.kv.get(key)).value?.lockIndex).toBe(1);
    expect(await client.kv.put(key, 'a', { release: a })).toBe(true);
    entry = (await client.kv.get(key)).value;
    expect(entry?.session).toBeUndefined();
    expect(entry?.lockIndex).toBe(1);
    expect(await client.kv.put(key, 'b', { acquire: b })).toBe(true);
    expect((await client.kv.get(key)).value?.lockIndex).toBe(2);
    await client.session.destroy(a);
    await client.session.destroy(b);
  });

  it('acquire with an unknown session is an error, not false', async () => {
    const { client } = consul.get();
    const key = `${uniquePrefix('badsession')}/lock`;
    await expect(
      client.kv.put(key, 'x', { acquire: '00000000-0000-0000-0000-000000000000' }),
    ).rejects.toBeInstanceOf(InvalidSessionError);
  });

  it('lists a prefix, lists keys one level deep, and deletes recursively and by CAS', async () => {
    const { client } = consul.get();
    const prefix = uniquePrefix('list');
    await client.kv.put(`${prefix}/a`, '1');
    await client.kv.put(`${prefix}/b/c`, '2');
    const { value: entries } = await client.kv.list(`${prefix}/`);
    expect(entries.map((e) => e.key)).toEqual([`${prefix}/a`, `${prefix}/b/c`]);
    expect(await client.kv.keys(`${prefix}/`, { separator: '/' })).toEqual([`${prefix}/a`, `${prefix}/b/`]);
    const a = (await client.kv.get(`${prefix}/a`)).value;
    expect(await client.kv.delete(`${prefix}/a`, { cas: (a?.modifyIndex ?? 0) + 1000 })).toBe(false);
    expect(await client.kv.delete(`${prefix}/a`, { cas: a?.modifyIndex ?? 0 })).toBe(true);
    await client.kv.delete(`${prefix}/`, { recurse: true });
    expect((await client.kv.list(`${prefix}/`)).value).toEqual([]);
  });

  it('decodes a large listing in slices (three of 500 here): every entry, in key order, with its value', async () => {
    const { client } = consul.get();
    const prefix = uniquePrefix('large');
    const keys = Array.from({ length: 1_234 }, (_, i) => `${prefix}/k${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 64) {
      await client.txn.run(keys.slice(i, i + 64).map((key) => ({ verb: 'set', key, value: key })));
    }
    const { value, costMs } = await client.kv.list(`${prefix}/`);
    expect(value.map((entry) => entry.key)).toEqual(keys);
    expect(value.every((entry) => entry.value.toString() === entry.key)).toBe(true);
    expect(costMs).toBeGreaterThan(0);
  });
});
