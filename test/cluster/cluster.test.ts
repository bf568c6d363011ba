import { describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { uniquePrefix } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const fixture = useCluster();
describe('a real 3-server Consul cluster', () => {
  it('elects a leader, survives its SIGKILL with a new leader, and loses no acknowledged KV write', async () => {
    const cluster = fixture.get();
    const leader = await cluster.leader();
    const prefix = uniquePrefix('cluster');
    const written: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const key = `${prefix}/k${i}`;
      expect(await leader.client().kv.put(key, String(i))).toBe(true);
      written.push(key);
    }
    await leader.kill();
    const follower = cluster.followers(leader)[0];
    expect(follower).toBeDefined();
    const newLeader = await cluster.leader();
    expect(newLeader).not.toBe(leader);
    const client = newLeader.client();
    for (const key of written) {
      const { value } = await client.kv.get(key, { consistency: 'consistent' });
      expect(value?.value.toString()).toBe(key.slice(key.lastIndexOf('k') + 1));
    }
    expect(await client.kv.put(`${prefix}/after`, 'ok')).toBe(true);
    // The restarted server rejoins and catches up through Raft; a consistent read through it sees the write.
    await leader.restart();
    await waitFor(async () => {
      const read = await leader
        .client()
        .kv.get(`${prefix}/after`, { consistency: 'consistent' })
        .catch(() => undefined);
      return read?.value?.value.toString() === 'ok';
    });
  }, 120_000);
});
