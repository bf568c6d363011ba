import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { Singleton } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { tryLock } from '../../src/singleton/try-lock.js';
import { ConsulClient } from '../../src/consul/client.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

function singletonName(label: string): string {
  return uniquePrefix(label).replace('baton-test/', 't-');
}

/** Work that runs until told to stop, recording who was active, so overlaps can be detected. */
function recordingWork(active: Set<string>, overlaps: string[], terms: number[]) {
  return async (leadership: Leadership): Promise<void> => {
    if (active.size > 0)
      overlaps.push(`${leadership.identity} started while ${[...active].join(',')} active`);
    active.add(leadership.identity);
    terms.push(leadership.token);
    await new Promise<void>((resolve) =>
      leadership.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    active.delete(leadership.identity);
  };
}

describe('Singleton election against a real Consul agent', () => {
  it('elects exactly one of three candidates and hands over cleanly on stop()', async () => {
    const { client } = consul.get();
    const name = singletonName('clean');
    const active = new Set<string>();
    const overlaps: string[] = [];
    const tokens: number[] = [];
    const candidates = ['a', 'b', 'c'].map(
      (identity) => new Singleton({ client, name, identity, work: recordingWork(active, overlaps, tokens) }),
    );
    const runs = candidates.map((c) => c.start());
    await waitFor(() => candidates.filter((c) => c.state === 'leading').length === 1);
    const first = candidates.find((c) => c.state === 'leading');
    await first?.stop();
    await waitFor(() => candidates.filter((c) => c.state === 'leading').length === 1);
    const second = candidates.find((c) => c.state === 'leading');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(second?.holder?.identity).toBe(second?.identity);
    // Stop the waiters before the leader: stopping the leader first would let a waiter take a third term.
    for (const c of candidates.filter((candidate) => candidate !== second)) await c.stop();
    await second?.stop();
    await Promise.all(runs);
    expect(overlaps).toEqual([]);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBeGreaterThan(tokens[0] ?? Infinity);
  });

  it('lets waiting candidates observe the current holder', async () => {
    const { client } = consul.get();
    const name = singletonName('observe');
    const leader = new Singleton({
      client,
      name,
      identity: 'leader',
      work: recordingWork(new Set(), [], []),
    });
    const waiter = new Singleton({
      client,
      name,
      identity: 'waiter',
      work: recordingWork(new Set(), [], []),
    });
    const runs = [leader.start()];
    await waitFor(() => leader.state === 'leading');
    runs.push(waiter.start());
    await waitFor(() => waiter.holder?.identity === 'leader');
    expect(waiter.state).toBe('waiting');
    await leader.stop();
    await waiter.stop();
    await Promise.all(runs);
  });

  it('fenced writes succeed while leading and are refused after the term ends', async () => {
    const { client } = consul.get();
    const name = singletonName('fenced');
    const dataKey = `${uniquePrefix('fenced-data')}/value`;
    let captured: Leadership | undefined;
    const candidate = new Singleton({
      client,
      name,
      work: async (leadership) => {
        captured = leadership;
        await leadership.fencedPut(dataKey, `token ${leadership.token}`);
        await new Promise<void>((resolve) => leadership.signal.addEventListener('abort', () => resolve()));
      },
    });
    const run = candidate.start();
    await waitFor(async () => (await client.kv.get(dataKey)).value !== undefined);
    await candidate.stop();
    await run;
    expect(captured?.isLeading()).toBe(false);
    await expect(captured?.fencedPut(dataKey, 'stale')).rejects.toThrow();
    expect((await client.kv.get(dataKey)).value?.value.toString()).toBe(`token ${captured?.token}`);
  });

  it('rejects unsafe timing profiles, naming the knob to change', () => {
    const { client } = consul.get();
    const make = (): Singleton =>
      new Singleton({
        client,
        name: 'unsafe',
        timing: { lockDelayMs: 500, confirmIntervalMs: 200, killGraceMs: 500 },
        work: () => Promise.resolve(),
      });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/raise lockDelay above 1000ms/);
  });
});

describe('tryLock (exclusive operations) against a real Consul agent', () => {
  it('runs when free, drops when held, and releases when the task settles', async () => {
    const { client } = consul.get();
    const resource = singletonName('cluster-refresh');
    let release: (() => void) | undefined;
    const holding = tryLock(
      resource,
      () => new Promise<string>((resolve) => (release = () => resolve('done'))),
      { client },
    );
    await waitFor(() => release !== undefined);
    expect(await tryLock(resource, () => Promise.resolve('second'), { client })).toEqual({
      status: 'dropped',
    });
    release?.();
    expect(await holding).toEqual({ status: 'ran', value: 'done' });
    expect(await tryLock(resource, () => Promise.resolve('third'), { client })).toEqual({
      status: 'ran',
      value: 'third',
    });
  });

  it('aborts a run cut off from Consul before another executor can start one (safety budget)', async () => {
    const { client, agent } = consul.get();
    const resource = singletonName('cut-off');
    const proxy = await TcpProxy.start(agent.ports.http);
    const cutOffClient = new ConsulClient({ baseUrl: `http://${proxy.address}` });
    const events: string[] = [];
    let started = false;
    const first = tryLock(
      resource,
      async (leadership) => {
        started = true;
        events.push(`first started token ${leadership.token}`);
        await new Promise((done) => leadership.signal.addEventListener('abort', done, { once: true }));
        events.push('first stopped');
        return leadership.token;
      },
      { client: cutOffClient },
    );
    await waitFor(() => started);
    proxy.blackhole();
    // Keep trying from a healthy executor: it may only run once the first run has stopped.
    let second: Awaited<ReturnType<typeof tryLock<number>>> = { status: 'dropped' };
    await waitFor(
      async () => {
        second = await tryLock(
          resource,
          (leadership) => {
            events.push(`second ran token ${leadership.token}`);
            return Promise.resolve(leadership.token);
          },
          { client },
        );
        return second.status === 'ran';
      },
      { timeoutMs: 30_000, message: 'the second executor never ran' },
    );
    expect(events[0]).toMatch(/^first started/);
    expect(events[1]).toBe('first stopped');
    expect(events[2]).toMatch(/^second ran/);
    const firstToken = Number(events[0]?.split(' ').at(-1));
    const secondToken = Number(events[2]?.split(' ').at(-1));
    expect(secondToken).toBeGreaterThan(firstToken);
    proxy.restore();
    await first.catch(() => undefined);
    await proxy.close();
  });
});
