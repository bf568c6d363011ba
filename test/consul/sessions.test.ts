import { describe, expect, it } from 'vitest';
import { InvalidSessionError } from '../../src/consul/errors.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

describe('sessions, lock-delay and TTL checks against a real Consul agent', () => {
  it('lock-delay blocks re-acquire after a session is destroyed while holding the key', async () => {
    const { client } = consul.get();
    const key = `${uniquePrefix('delay')}/lock`;
    const holder = await client.session.create({ lockDelayMs: 5_000, nodeChecks: [], ttlMs: 10_000 });
    const waiter = await client.session.create({ lockDelayMs: 0, nodeChecks: [], ttlMs: 10_000 });
    expect(await client.kv.put(key, 'h', { acquire: holder })).toBe(true);
    await client.session.destroy(holder);
    expect((await client.kv.get(key)).value?.session).toBeUndefined();
    expect(await client.kv.put(key, 'w', { acquire: waiter })).toBe(false);
    await client.session.destroy(waiter);
  });

  it('release-then-destroy leaves no lock-delay behind', async () => {
    const { client } = consul.get();
    const key = `${uniquePrefix('nodelay')}/lock`;
    const holder = await client.session.create({ lockDelayMs: 15_000, nodeChecks: [], ttlMs: 10_000 });
    const waiter = await client.session.create({ lockDelayMs: 0, nodeChecks: [], ttlMs: 10_000 });
    expect(await client.kv.put(key, 'h', { acquire: holder })).toBe(true);
    expect(await client.kv.put(key, 'h', { release: holder })).toBe(true);
    await client.session.destroy(holder);
    expect(await client.kv.put(key, 'w', { acquire: waiter })).toBe(true);
    await client.session.destroy(waiter);
  });

  it('renew answers for a live session and throws InvalidSessionError once it is gone', async () => {
    const { client } = consul.get();
    const id = await client.session.create({ lockDelayMs: 0, nodeChecks: [], ttlMs: 10_000 });
    const renewed = await client.session.renew(id);
    expect(renewed.id).toBe(id);
    await client.session.destroy(id);
    await expect(client.session.renew(id)).rejects.toBeInstanceOf(InvalidSessionError);
    expect(await client.session.info(id)).toBeUndefined();
  });

  for (const behavior of ['release', 'delete'] as const) {
    it(`a session linked to a TTL check is invalidated when the check misses its TTL (${behavior})`, async () => {
      const { client } = consul.get();
      const key = `${uniquePrefix(`ttl-${behavior}`)}/lock`;
      const checkId = `baton-test-${behavior}-${Date.now()}`;
      await client.agent.registerTtlCheck({ id: checkId, ttlMs: 1_000 });
      const id = await client.session.create({
        lockDelayMs: 0,
        behavior,
        nodeChecks: ['serfHealth', checkId],
      });
      const info = await client.session.info(id);
      expect(info?.nodeChecks).toEqual(['serfHealth', checkId]);
      expect(await client.kv.put(key, 'held', { acquire: id })).toBe(true);
      // No more passes: the agent marks the check critical after 1 s and the servers drop the session.
      await waitFor(async () => (await client.session.info(id)) === undefined, { timeoutMs: 15_000 });
      const entry = (await client.kv.get(key, { consistency: 'consistent' })).value;
      if (behavior === 'release') {
        expect(entry?.value.toString()).toBe('held');
        expect(entry?.session).toBeUndefined();
      } else {
        expect(entry).toBeUndefined();
      }
      await client.agent.deregisterCheck(checkId);
    });
  }

  it('failing a linked check invalidates the session at once', async () => {
    const { client } = consul.get();
    const checkId = `baton-test-fail-${Date.now()}`;
    await client.agent.registerTtlCheck({ id: checkId, ttlMs: 60_000 });
    const id = await client.session.create({ lockDelayMs: 0, nodeChecks: [checkId] });
    await client.agent.passCheck(checkId);
    expect(await client.session.info(id)).toBeDefined();
    await client.agent.failCheck(checkId, 'test');
    await waitFor(async () => (await client.session.info(id)) === undefined, { timeoutMs: 10_000 });
    await client.agent.deregisterCheck(checkId);
  });
});
