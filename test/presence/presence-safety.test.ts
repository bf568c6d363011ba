import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { EventLog } from '../../src/events/event-log.js';
import { MAX_REGISTRATION_BYTES } from '../../src/presence/cell-registration.js';
import { Cell, type CellOptions } from '../../src/presence/cell.js';
import { listCells } from '../../src/presence/live-cells.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceKeys } from '../../src/layout/presence-keys.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const proxies: TcpProxy[] = [];

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

/** A client whose requests to the dev agent go through a proxy the test can fault. */
async function proxied(): Promise<{ proxy: TcpProxy; client: ConsulClient }> {
  const proxy = await TcpProxy.start(consul.get().agent.ports.http);
  proxies.push(proxy);
  return { proxy, client: new ConsulClient({ baseUrl: `http://${proxy.address}` }) };
}

function setup(label: string) {
  const { client } = consul.get();
  const root = uniquePrefix(label);
  const keys = new PresenceKeys(root);
  const eventLog = (c: ConsulClient = client): EventLog =>
    new EventLog({ client: c, stream: 'presence', root });
  const watcher = (c: ConsulClient = client) => {
    const w = new PresenceWatcher({ client: c, root, eventLog: eventLog(c) });
    const seen: PresenceEvent[] = [];
    w.events.on((event) => seen.push(event));
    return { watcher: w, seen };
  };
  const cell = (id: string, extra: Partial<CellOptions> = {}, labels?: Record<string, string>) =>
    new Cell({
      client,
      root,
      spec: { id, address: '127.0.0.1:7001', zone: 'z1', ...(labels === undefined ? {} : { labels }) },
      ...extra,
    });
  return { client, root, keys, eventLog, watcher, cell };
}

const has = (seen: readonly PresenceEvent[], type: string, incarnation: string): boolean =>
  seen.some((e) => e.type === type && e.incarnation === incarnation);

describe('presence under faults (real Consul)', () => {
  it('a commit that applied but whose answer was lost still reaches in-process subscribers', async () => {
    const { cell, watcher } = setup('ambiguous');
    const { proxy, client } = await proxied();
    const { watcher: w, seen } = watcher(client);
    await w.start();
    const dropped = proxy.failNext('PUT /v1/txn', 'drop-response');
    const a = cell('a');
    const registration = await a.start();
    await dropped;
    await waitFor(() => has(seen, 'CellRegistered', registration.incarnation), { timeoutMs: 30_000 });
    expect(seen.map((e) => e.type)).toEqual(['CellRegistered']);
    await a.stop();
    await waitFor(() => has(seen, 'CellDeparted', registration.incarnation), { timeoutMs: 30_000 });
    await w.stop();
  });

  it('two watchers: every subscriber of each gets every event, once, in log order', async () => {
    const { cell, watcher } = setup('two-watchers');
    const first = watcher();
    const second = watcher();
    await Promise.all([first.watcher.start(), second.watcher.start()]);
    const cells = ['a', 'b', 'c', 'd', 'e'].map((id) => cell(id));
    const total = cells.length * 2;
    const seenAll = (n: number) => () => first.seen.length >= n && second.seen.length >= n;
    for (const c of cells) await c.start();
    await waitFor(seenAll(cells.length), { timeoutMs: 30_000 });
    for (const c of cells) await c.stop();
    await waitFor(seenAll(total), { timeoutMs: 30_000 });
    for (const { seen } of [first, second]) {
      expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(seen.filter((e) => e.type === 'CellLost')).toEqual([]);
    }
    await Promise.all([first.watcher.stop(), second.watcher.stop()]);
  });

  it('an incarnation that registered and died while no watcher ran is reported lost', async () => {
    const { client, root, keys, cell, watcher } = setup('unseen');
    const a = cell('a');
    const live = await a.start();
    // Registered and died hard (no departure record) while nobody watched.
    const b = cell('b');
    const gone = await b.start();
    await b.abandon();
    const stopped = cell('c');
    const clean = await stopped.start();
    await stopped.stop();
    const { watcher: w, seen } = watcher();
    await w.start();
    await waitFor(() => has(seen, 'CellLost', gone.incarnation), { timeoutMs: 30_000 });
    await waitFor(() => has(seen, 'CellRegistered', live.incarnation), { timeoutMs: 30_000 });
    expect(seen.find((e) => e.incarnation === gone.incarnation)?.reason).toBe('SessionInvalidated');
    expect(seen.some((e) => e.incarnation === clean.incarnation && e.type === 'CellLost')).toBe(false);
    expect((await listCells(client, { root })).map((c) => c.id)).toEqual(['a']);
    // Reported once: the incarnation record went with the event, so a later watcher says nothing more.
    const again = watcher();
    await again.watcher.start();
    await waitFor(async () => (await client.kv.list(keys.prefix)).value.every((e) => !e.key.includes('/b/')));
    expect(again.seen.filter((e) => e.type === 'CellLost')).toEqual([]);
    await Promise.all([w.stop(), again.watcher.stop(), a.abandon()]);
  });

  it('an incarnation that registered and departed while no watcher ran: registered then departed, once', async () => {
    const { client, keys, cell, eventLog, watcher } = setup('unseen-departed');
    const before = watcher();
    await before.watcher.start();
    await before.watcher.stop();
    const brief = cell('a');
    const { incarnation } = await brief.start();
    await brief.stop();
    const logged = async () =>
      (await eventLog().read(0)).events.filter((e) => e.incarnation === incarnation).map((e) => e.type);
    const { watcher: w, seen } = watcher();
    await w.start();
    await waitFor(() => has(seen, 'CellDeparted', incarnation), { timeoutMs: 30_000 });
    expect(seen.map((e) => e.type)).toEqual(['CellRegistered', 'CellDeparted']);
    expect(seen[0]?.data.registration).toEqual(seen[1]?.data.registration);
    expect(await logged()).toEqual(['CellRegistered', 'CellDeparted']);
    expect((await client.kv.get(keys.departure('a', incarnation))).value).toBeUndefined();
    await w.stop();
    // Consumed with its events: a watcher started afterwards reports it no more.
    const again = watcher();
    await again.watcher.start();
    await again.watcher.stop();
    expect(await logged()).toEqual(['CellRegistered', 'CellDeparted']);
  });

  it('unseen clean incarnations between a known one and a live one are logged in the order they happened', async () => {
    const { cell, eventLog, watcher } = setup('unseen-between');
    const first = watcher();
    await first.watcher.start();
    const known = cell('a');
    const i0 = await known.start();
    await waitFor(() => has(first.seen, 'CellRegistered', i0.incarnation), { timeoutMs: 30_000 });
    await first.watcher.stop();
    // While no watcher runs: the known incarnation departs, another comes and goes, a third stays.
    await known.stop();
    const brief = cell('a');
    const i1 = await brief.start();
    await brief.stop();
    const live = cell('a');
    const i2 = await live.start();
    const order = [
      `CellRegistered ${i0.incarnation}`,
      `CellDeparted ${i0.incarnation}`,
      `CellRegistered ${i1.incarnation}`,
      `CellDeparted ${i1.incarnation}`,
      `CellRegistered ${i2.incarnation}`,
    ];
    const logged = async () => (await eventLog().read(0)).events.map((e) => `${e.type} ${e.incarnation}`);
    const second = watcher();
    await second.watcher.start();
    await waitFor(async () => (await logged()).length >= order.length, { timeoutMs: 30_000 });
    expect(await logged()).toEqual(order);
    await second.watcher.stop();
    const third = watcher();
    await third.watcher.start();
    await third.watcher.stop();
    expect(await logged()).toEqual(order);
    await live.abandon();
  });

  it('an older Baton’s departure record (no registration) of an unseen incarnation is deleted unreported', async () => {
    const { client, keys, eventLog, watcher } = setup('legacy-departure');
    const incarnation = randomUUID();
    const legacy = { id: 'a', incarnation, departedAt: new Date().toISOString(), reason: 'stopped' };
    await client.kv.put(keys.departure('a', incarnation), JSON.stringify(legacy));
    const { watcher: w } = watcher();
    await w.start();
    await waitFor(async () => (await client.kv.get(keys.departure('a', incarnation))).value === undefined, {
      timeoutMs: 30_000,
    });
    expect((await eventLog().read(0)).events).toEqual([]);
    await w.stop();
  });

  it('a departure whose first attempt never reached Consul is retried: CellDeparted, not CellLost', async () => {
    const { root, watcher } = setup('depart-retry');
    const { proxy, client } = await proxied();
    const { watcher: w, seen } = watcher();
    await w.start();
    const a = new Cell({ client, root, spec: { id: 'a', address: '127.0.0.1:7001' }, checkTtlMs: 10_000 });
    const registration = await a.start();
    await waitFor(() => has(seen, 'CellRegistered', registration.incarnation));
    const reset = proxy.failNext('PUT /v1/txn', 'reset');
    await a.stop();
    await reset;
    await waitFor(() => has(seen, 'CellDeparted', registration.incarnation), { timeoutMs: 30_000 });
    expect(seen.map((e) => e.type)).toEqual(['CellRegistered', 'CellDeparted']);
    await w.stop();
  });

  it('a stop while the registration is in flight is a departure, never a CellLost', async () => {
    const { root, keys, watcher } = setup('cancelled-registration');
    const { proxy, client } = await proxied();
    const direct = consul.get().client;
    const { watcher: w, seen } = watcher();
    await w.start();
    const a = new Cell({ client, root, spec: { id: 'a', address: '127.0.0.1:7001' }, checkTtlMs: 20_000 });
    const stopping = new AbortController();
    const dropped = proxy.failNext('PUT /v1/txn', 'drop-response');
    const starting = a.start(stopping.signal);
    await dropped;
    // The claim committed on the server; its answer never arrives. Now the stop request lands.
    await waitFor(async () => (await direct.kv.get(keys.cell('a'))).value !== undefined);
    stopping.abort();
    await expect(starting).rejects.toBeDefined();
    // The withdrawal is a departure the watcher consumes: key, incarnation and departure records all go.
    await waitFor(
      async () =>
        (await direct.kv.list(keys.prefix)).value.every(
          (e) => !/\/(cells|departures|incarnations)\//.test(e.key),
        ),
      { timeoutMs: 30_000 },
    );
    await w.stop();
    expect(seen.filter((e) => e.type === 'CellLost')).toEqual([]);
  });

  it('a departure that applied but whose answer was lost still reads as departed', async () => {
    const { root, watcher } = setup('depart-ambiguous');
    const { proxy, client } = await proxied();
    const { watcher: w, seen } = watcher();
    await w.start();
    const a = new Cell({ client, root, spec: { id: 'a', address: '127.0.0.1:7001' }, checkTtlMs: 20_000 });
    const registration = await a.start();
    // Announced first: a cell that registers and departs before any watcher commits its registration is
    // never announced, and owes no CellDeparted (the race this wait rules out).
    await waitFor(() => has(seen, 'CellRegistered', registration.incarnation));
    const dropped = proxy.failNext('PUT /v1/txn', 'drop-response');
    await a.stop();
    await dropped;
    await waitFor(() => has(seen, 'CellDeparted', registration.incarnation), { timeoutMs: 30_000 });
    expect(seen.map((e) => e.type)).toEqual(['CellRegistered', 'CellDeparted']);
    expect(a.state).toBe('stopped');
    await w.stop();
  });

  it('refuses an oversized registration at the door, with a coded error naming the limit', () => {
    const { cell } = setup('too-large');
    let thrown: unknown;
    try {
      cell('big', {}, { blob: 'x'.repeat(200 * 1024) });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'BATON_CELL_REGISTRATION_TOO_LARGE' });
    expect(String(thrown)).toContain(String(MAX_REGISTRATION_BYTES));
  });

  it('one oversized record written around Cell cannot stop the other cells’ events', async () => {
    const { client, keys, cell, watcher } = setup('oversized');
    const huge = {
      id: 'a-huge',
      address: '127.0.0.1:7001',
      labels: { blob: 'x'.repeat(200 * 1024) },
      incarnation: crypto.randomUUID(),
      startedAt: new Date().toISOString(),
    };
    await client.kv.put(keys.cell('a-huge'), JSON.stringify(huge));
    const { watcher: w, seen } = watcher();
    await w.start();
    const b = cell('b');
    const registration = await b.start();
    await waitFor(() => has(seen, 'CellRegistered', registration.incarnation), { timeoutMs: 30_000 });
    expect(seen.some((e) => e.subject === 'a-huge')).toBe(false);
    await Promise.all([b.stop(), w.stop()]);
  });

  it('commits are batched by bytes: many large registrations at once all get their events', async () => {
    const { cell, watcher } = setup('bytes');
    const labels = { blob: 'y'.repeat(40 * 1024) };
    const cells = Array.from({ length: 12 }, (_, i) => cell(`c${i}`, {}, labels));
    const started = await Promise.all(cells.map((c) => c.start()));
    const { watcher: w, seen } = watcher();
    await w.start();
    await waitFor(() => started.every((r) => has(seen, 'CellRegistered', r.incarnation)), {
      timeoutMs: 30_000,
    });
    await Promise.all([...cells.map((c) => c.stop()), w.stop()]);
  });
});
