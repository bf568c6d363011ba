import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { Cell } from '../../src/presence/cell.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { useCluster } from '../support/cluster.js';
import { uniquePrefix } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const fixture = useCluster();
/** Cells talking to `cellServer`, a watcher talking to `watcherAddr`, under a fresh presence root. */
async function scene(label: string, cellClient: ConsulClient, watcherClient: ConsulClient) {
  const root = uniquePrefix(label);
  const watcher = new PresenceWatcher({ client: watcherClient, root });
  const seen: PresenceEvent[] = [];
  watcher.events.on((event) => seen.push(event));
  await watcher.start();
  const cells = ['c1', 'c2', 'c3'].map(
    (id, i) => new Cell({ client: cellClient, root, spec: { id, address: `127.0.0.1:${7101 + i}` } }),
  );
  for (const cell of cells) await cell.start();
  await waitFor(() => seen.filter((e) => e.type === 'CellRegistered').length === 3, { timeoutMs: 20_000 });
  return { watcher, cells, seen };
}

describe('no false CellLost on the watching side (real 3-server cluster)', () => {
  it('a Consul leader SIGKILL produces no CellLost for cells that stay alive', async () => {
    const cluster = fixture.get();
    const leader = await cluster.leader();
    // Cells and watcher talk to a follower that survives; the leader dies under them.
    const [follower] = cluster.followers(leader);
    if (follower === undefined) throw new Error('no follower');
    const { watcher, cells, seen } = await scene('leader-kill', follower.client(), follower.client());
    await leader.kill();
    await cluster.leader();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(seen.filter((e) => e.type === 'CellLost').map((e) => e.subject)).toEqual([]);
    for (const cell of cells) await cell.stop();
    await waitFor(() => seen.filter((e) => e.type === 'CellDeparted').length === 3, { timeoutMs: 20_000 });
    expect(seen.filter((e) => e.type === 'CellLost')).toEqual([]);
    await watcher.stop();
    await leader.restart();
  }, 120_000);

  it('a watcher cut off from Consul for a few seconds reports no CellLost when it comes back', async () => {
    const server = await fixture.get().leader();
    const proxy = await TcpProxy.start(server.ports.http);
    try {
      const watcherClient = new ConsulClient({ baseUrl: `http://${proxy.address}` });
      const { watcher, cells, seen } = await scene('watcher-cut', server.client(), watcherClient);
      proxy.blackhole();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      proxy.restore();
      // Changes made after the cut are seen again, so the watcher is really back.
      await cells[0]?.stop();
      await waitFor(() => seen.some((e) => e.type === 'CellDeparted' && e.subject === 'c1'), {
        timeoutMs: 45_000,
      });
      expect(seen.filter((e) => e.type === 'CellLost')).toEqual([]);
      for (const cell of cells.slice(1)) await cell.stop();
      await watcher.stop();
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
