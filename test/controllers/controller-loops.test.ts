import { describe, expect, it } from 'vitest';
import { CellKind, SingletonKind } from '../../src/api/kinds.js';
import type { KvChange } from '../../src/cache/diff-snapshots.js';
import { ConsulClient } from '../../src/consul/client.js';
import type { KvEntry } from '../../src/consul/wire.js';
import { cellLoop, singletonLoop, type KeySource } from '../../src/controllers/baton-loops.js';
import { EventBus } from '../../src/events/event-bus.js';
import { EventLog } from '../../src/events/event-log.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { BatonMetrics } from '../../src/metrics/baton-metrics.js';
import type { LoopDeclaration } from '../../src/runtime/controller-builder.js';
import { done } from '../../src/runtime/reconciler.js';
import { SINGLETON_EVENTS } from '../../src/singleton/singleton-events.js';
import { RecordStore } from '../../src/store/record-store.js';

/** A key source whose snapshot holds `keys` and whose changes the test emits. */
class FakeSource implements KeySource {
  readonly bus = new EventBus<readonly KvChange[]>();
  keys: string[] = [];
  /** Stored JSON of some keys (others hold `{}`). */
  readonly values = new Map<string, unknown>();
  onChange(handler: (changes: readonly KvChange[]) => void): () => void {
    return this.bus.on(handler);
  }
  snapshot(): ReadonlyMap<string, KvEntry> {
    return new Map(this.keys.map((key) => [key, entry(key, this.values.get(key))]));
  }
  get(key: string): KvEntry | undefined {
    return this.keys.includes(key) ? entry(key, this.values.get(key)) : undefined;
  }
  change(key: string): void {
    this.bus.emit([{ type: 'updated', key, entry: entry(key) }]);
  }
}

function entry(key: string, value: unknown = {}): KvEntry {
  return {
    key,
    value: Buffer.from(JSON.stringify(value)),
    flags: 0n,
    createIndex: 1,
    modifyIndex: 1,
    lockIndex: 0,
  };
}

/** The names a loop enqueues while `act` runs. */
function enqueued(declaration: LoopDeclaration<string>, act: () => void): string[] {
  const names: string[] = [];
  const stops = declaration.watches.map((watch) => watch.listen((name) => names.push(name)));
  act();
  for (const stop of stops) stop();
  return names;
}

const layout = new KvLayout('t/v1');
const client = new ConsulClient({ baseUrl: 'http://127.0.0.1:1' });
const stores = {
  singletons: new RecordStore(client, SingletonKind, { root: layout.root }),
  cells: new RecordStore(client, CellKind, { root: layout.root }),
};

function singletons(): { loop: LoopDeclaration<string>; records: FakeSource; locks: FakeSource } {
  const records = new FakeSource();
  const locks = new FakeSource();
  const events = new EventLog({ client, stream: SINGLETON_EVENTS, root: layout.root });
  const loop = singletonLoop({
    client,
    layout,
    store: stores.singletons,
    events,
    metrics: new BatonMetrics(),
    records,
    locks,
  });
  return { loop, records, locks };
}

function cells(): {
  loop: LoopDeclaration<string>;
  records: FakeSource;
  presenceCells: FakeSource;
  events: EventBus<{ subject: string }>;
} {
  const records = new FakeSource();
  const presenceCells = new FakeSource();
  const events = new EventBus<{ subject: string }>();
  const loop = cellLoop({ client, layout, store: stores.cells, watcher: { events }, records, presenceCells });
  return { loop, records, presenceCells, events };
}

describe('the Singleton loop declaration', () => {
  it.each([
    { source: 'records', key: stores.singletons.keys.spec('billing'), names: ['billing'] },
    { source: 'records', key: stores.singletons.keys.status('billing'), names: ['billing'] },
    { source: 'locks', key: layout.locks.singleton('billing'), names: ['billing'] },
    { source: 'locks', key: layout.locks.resource('billing'), names: [] },
    { source: 'locks', key: 'elsewhere/billing', names: [] },
  ] as const)('a change of $key ($source) reconciles $names', ({ source, key, names }) => {
    const parts = singletons();
    expect(enqueued(parts.loop, () => parts[source].change(key))).toEqual(names);
  });

  it('resync revisits every Singleton record in the snapshot', () => {
    const parts = singletons();
    parts.records.keys = [stores.singletons.keys.spec('a'), stores.singletons.keys.status('a')];
    parts.records.keys.push(stores.singletons.keys.spec('b'));
    expect([...(parts.loop.resync?.() ?? [])].sort()).toEqual(['a', 'b']);
  });
});

describe('the Cell loop declaration', () => {
  it.each([
    { source: 'records', key: stores.cells.keys.spec('c1'), names: ['c1'] },
    { source: 'presenceCells', key: layout.presence.cell('c1'), names: ['c1'] },
    { source: 'presenceCells', key: layout.presence.known('c1'), names: [] },
  ] as const)('a change of $key ($source) reconciles $names', ({ source, key, names }) => {
    const parts = cells();
    expect(enqueued(parts.loop, () => parts[source].change(key))).toEqual(names);
  });

  it('a cell already in step (its record mirrors its presence key) is reconciled from the caches, with no request', async () => {
    const parts = cells();
    const registration = { id: 'c3', incarnation: 'i1', address: '10.0.0.3:1' };
    parts.presenceCells.keys = [layout.presence.cell('c3')];
    parts.presenceCells.values.set(layout.presence.cell('c3'), registration);
    parts.records.keys = [stores.cells.keys.spec('c3'), stores.cells.keys.status('c3')];
    parts.records.values.set(stores.cells.keys.spec('c3'), { spec: { id: 'c3', address: '10.0.0.3:1' } });
    parts.records.values.set(stores.cells.keys.status('c3'), { phase: 'Present', incarnation: 'i1' });
    // Every notification is queued (the loop's own status write, echoed) and judged when taken.
    expect(enqueued(parts.loop, () => parts.records.change(stores.cells.keys.status('c3')))).toEqual(['c3']);
    const signal = AbortSignal.timeout(10_000);
    // The loop's client points at a closed port: only a reconcile that makes no request can succeed.
    await expect(parts.loop.reconciler.reconcile('c3', signal)).resolves.toEqual(done);
    // Out of step (a new incarnation the record does not show yet): the reconciler goes to Consul.
    parts.presenceCells.values.set(layout.presence.cell('c3'), { ...registration, incarnation: 'i2' });
    await expect(parts.loop.reconciler.reconcile('c3', signal)).rejects.toThrow();
  });

  it("a committed presence event reconciles its subject's record", () => {
    const parts = cells();
    expect(enqueued(parts.loop, () => parts.events.emit({ subject: 'c2' }))).toEqual(['c2']);
  });

  it('resync revisits every Cell record and every presence key, remembering no event', () => {
    const parts = cells();
    parts.records.keys = [stores.cells.keys.spec('recorded-only')];
    parts.presenceCells.keys = [layout.presence.cell('present-only'), layout.presence.known('known-only')];
    expect([...(parts.loop.resync?.() ?? [])].sort()).toEqual(['present-only', 'recorded-only']);
  });
});
