import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import type { ConsulHealth } from '../../src/runtime/consul-health.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { Singleton } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

describe('an unreachable Consul is visible from the API', () => {
  it('a singleton cut off from its agent reports consul unreachable, then reachable once the link is back', async () => {
    const { agent } = consul.get();
    const proxy = await TcpProxy.start(agent.ports.http);
    proxy.blackhole();
    const client = new ConsulClient({ baseUrl: `http://${proxy.address}` });
    const root = uniquePrefix('health');
    await using singleton = new Singleton({ client, root, name: 'worker', work: untilAborted });
    const seen: ConsulHealth[] = [];
    singleton.on('consul', (health) => seen.push(health));
    expect(singleton.consul.reachable).toBe(true);
    void singleton.start();

    await waitFor(() => !singleton.consul.reachable, { timeoutMs: 30_000 });
    expect(singleton.state).toBe('starting');
    expect((singleton.consul.lastError as { code?: string }).code).toMatch(/^CONSUL_(TIMEOUT|UNREACHABLE)$/);

    proxy.restore();
    await waitFor(() => singleton.state === 'leading', { timeoutMs: 60_000 });
    expect(singleton.consul.reachable).toBe(true);
    expect(seen.map((h) => h.reachable)).toEqual([false, true]);
    await singleton.stop();
    await proxy.close();
  }, 120_000);
});

describe('a presence watcher cut off from its agent', () => {
  it('reports consul unreachable, then reachable once the link is back', async () => {
    const { agent } = consul.get();
    const proxy = await TcpProxy.start(agent.ports.http);
    const client = new ConsulClient({ baseUrl: `http://${proxy.address}` });
    await using watcher = new PresenceWatcher({ client, root: uniquePrefix('health-watch'), waitMs: 1_000 });
    const seen: boolean[] = [];
    watcher.onConsulHealth((health) => seen.push(health.reachable));
    await watcher.start();
    proxy.blackhole();
    await waitFor(() => !watcher.consul.reachable, { timeoutMs: 60_000 });
    proxy.restore();
    await waitFor(() => watcher.consul.reachable, { timeoutMs: 60_000 });
    expect(seen).toEqual([false, true]);
    await watcher.stop();
    await proxy.close();
  }, 150_000);
});
