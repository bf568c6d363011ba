import { afterAll, describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import type { BatonEvent } from '../../src/events/event.js';
import { EventLog } from '../../src/events/event-log.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const proxies: TcpProxy[] = [];

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

const input = (n: number) => ({
  type: 'Tick',
  subject: `s${n}`,
  observedAt: new Date().toISOString(),
  reason: 'Test',
});

describe('durable event log in Consul KV', () => {
  it('a subscriber keeps its cursor across a failed read: nothing skipped, nothing thrown', async () => {
    const { client, agent } = consul.get();
    const proxy = await TcpProxy.start(agent.ports.http);
    proxies.push(proxy);
    const root = uniquePrefix('events-retry');
    const log = new EventLog({ client, stream: 'test', root });
    const viaProxy = new EventLog({
      client: new ConsulClient({ baseUrl: `http://${proxy.address}` }),
      stream: 'test',
      root,
    });
    const stop = new AbortController();
    const seen: number[] = [];
    const done = viaProxy.subscribe({ since: 0, signal: stop.signal }, (event) => {
      seen.push(event.seq);
    });
    await log.append([input(1), input(2)]);
    await waitFor(() => seen.length === 2);
    // The subscriber's next range read (a read-only /v1/txn) fails once.
    const reset = proxy.failNext('PUT /v1/txn', 'reset');
    await log.append([input(3), input(4), input(5)]);
    await reset;
    await waitFor(() => seen.length >= 5, { timeoutMs: 20_000 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    stop.abort();
    await expect(done).resolves.toBeUndefined();
  });

  it('numbers events 1, 2, 3... and resumes a subscriber from `since`', async () => {
    const { client } = consul.get();
    const log = new EventLog({ client, stream: 'test', root: uniquePrefix('events') });
    const first = await log.append([input(1), input(2), input(3)]);
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    const stop = new AbortController();
    const seen: BatonEvent[] = [];
    const done = log.subscribe({ since: 1, signal: stop.signal }, (event) => {
      seen.push(event);
    });
    await waitFor(() => seen.length === 2);
    await log.append([input(4)]);
    await waitFor(() => seen.length === 3);
    stop.abort();
    await done;
    expect(seen.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(seen.map((e) => e.subject)).toEqual(['s2', 's3', 's4']);
  });

  it('keeps sequence numbers unique under concurrent appenders', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('events');
    const a = new EventLog({ client, stream: 'race', root });
    const b = new EventLog({ client, stream: 'race', root });
    const appended = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).append([input(i)])),
    );
    const seqs = appended.flat().map((e) => e.seq);
    expect(new Set(seqs).size).toBe(10);
    expect((await a.read(0)).events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('bounds retention and tells a late reader it missed events', async () => {
    const { client } = consul.get();
    const log = new EventLog({ client, stream: 'small', root: uniquePrefix('events'), retention: 3 });
    for (let i = 1; i <= 6; i += 1) await log.append([input(i)]);
    const result = await log.read(0);
    expect(result.events.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(result.gap).toBe(true);
    expect(result.head).toBe(6);
    expect((await log.read(4)).gap).toBe(false);
  });
});
