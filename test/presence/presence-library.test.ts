import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { Cell } from '../../src/presence/cell.js';
import { listCells, listLiveCells } from '../../src/presence/live-cells.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceKeys } from '../../src/layout/presence-keys.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

function setup(label: string) {
  const { client } = consul.get();
  const root = uniquePrefix(label);
  const keys = new PresenceKeys(root);
  const eventLog = new EventLog({ client, stream: 'presence', root });
  const watcher = new PresenceWatcher({ client, root, eventLog });
  const seen: PresenceEvent[] = [];
  watcher.events.on((event) => seen.push(event));
  const cell = (id: string) =>
    new Cell({ client, root, spec: { id, address: '127.0.0.1:7001', zone: 'z1', capacity: { mem: 1024 } } });
  const types = (id: string) => seen.filter((e) => e.subject === id).map((e) => e.type);
  return { client, root, keys, eventLog, watcher, seen, cell, types };
}

describe('presence as a library (in-process cells, real Consul)', () => {
  it('registers, updates and departs cleanly: CellDeparted and never CellLost', async () => {
    const { client, root, eventLog, watcher, cell, types } = setup('lib-depart');
    await watcher.start();
    const a = cell('a');
    const registration = await a.start();
    await waitFor(() => types('a').includes('CellRegistered'));
    expect((await listLiveCells(client, { root })).map((c) => c.id)).toEqual(['a']);
    await a.update({ capacity: { mem: 512 } });
    await waitFor(() => types('a').includes('CellUpdated'));
    await a.stop();
    await waitFor(() => types('a').includes('CellDeparted'));
    expect(types('a')).toEqual(['CellRegistered', 'CellUpdated', 'CellDeparted']);
    expect(await listCells(client, { root })).toEqual([]);
    const logged = (await eventLog.read(0)).events;
    expect(logged.map((e) => [e.seq, e.type, e.incarnation])).toEqual([
      [1, 'CellRegistered', registration.incarnation],
      [2, 'CellUpdated', registration.incarnation],
      [3, 'CellDeparted', registration.incarnation],
    ]);
    await watcher.stop();
  });

  it('a lost session yields CellLost, then the cell comes back as a new incarnation', async () => {
    const { client, watcher, cell, seen, types } = setup('lib-lost');
    await watcher.start();
    const a = cell('a');
    const first = await a.start();
    await waitFor(() => types('a').includes('CellRegistered'));
    // Invalidate the session behind the cell's back (as a missed TTL would).
    const sessionId = a.sessionId;
    if (sessionId === undefined) throw new Error('no session');
    await client.session.destroy(sessionId);
    await waitFor(() => types('a').filter((t) => t === 'CellRegistered').length === 2, { timeoutMs: 20_000 });
    const lost = seen.find((e) => e.type === 'CellLost');
    expect(lost?.incarnation).toBe(first.incarnation);
    expect(a.registration?.incarnation).not.toBe(first.incarnation);
    expect(types('a')).toEqual(['CellRegistered', 'CellLost', 'CellRegistered']);
    await a.stop();
    await watcher.stop();
  });
});
