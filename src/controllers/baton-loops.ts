import type { Cell } from '../api/cell.js';
import { CellKind, SingletonKind } from '../api/kinds.js';
import type { Singleton } from '../api/singleton.js';
import type { KvChange } from '../cache/diff-snapshots.js';
import type { PrefixInformer } from '../cache/prefix-informer.js';
import type { ConsulClient } from '../consul/client.js';
import type { KvEntry } from '../consul/wire.js';
import type { EventBus } from '../events/event-bus.js';
import type { EventLog } from '../events/event-log.js';
import type { KvLayout } from '../layout/kv-layout.js';
import type { BatonMetrics } from '../metrics/baton-metrics.js';
import { watches, type LoopDeclaration, type Watch } from '../runtime/controller-builder.js';
import { done } from '../runtime/reconciler.js';
import type { RecordStore } from '../store/record-store.js';
import { CellReconciler } from './cell-reconciler.js';
import { cellInStep, cellsToResync } from './cell-resync.js';
import { CONTROLLER_DEFAULTS } from './defaults.js';
import { SingletonReconciler } from './singleton-reconciler.js';

/** What the Cell loop reads of a presence event: which cell it is about. */
interface Subjected {
  readonly subject: string;
}

/** What a loop needs of a prefix informer: its change notifications and its latest snapshot. */
export type KeySource = Pick<PrefixInformer, 'onChange' | 'snapshot'>;

/** A source with point lookups of single keys (a sharded informer, the watcher's `cellKeys`). */
export type LookupSource = KeySource & { get(key: string): KvEntry | undefined };

/** The Singleton loop: For(Singleton records), Watches(lock keys → the singleton holding them). */
export interface SingletonLoopParts {
  readonly client: ConsulClient;
  readonly layout: KvLayout;
  readonly store: RecordStore<Singleton>;
  readonly events: EventLog;
  readonly metrics: BatonMetrics;
  /** Informer over `store.keys.prefix`. */
  readonly records: KeySource;
  /** Informer over `layout.locks.prefix`. */
  readonly locks: KeySource;
}

export function singletonLoop(parts: SingletonLoopParts): LoopDeclaration<string> {
  const { client, layout, store, events, metrics, records, locks } = parts;
  const recordName = (key: string): string | undefined => store.keys.parse(key)?.name;
  return {
    name: SingletonKind.kind,
    reconciler: new SingletonReconciler({ client, store, events, locks: layout.locks, metrics }),
    watches: [
      kvWatch('singleton records', records, (key) => store.keys.nameOf(key)),
      kvWatch('singleton locks', locks, (key) => {
        const owner = layout.locks.parse(key);
        return owner?.kind === 'singleton' ? owner.name : undefined;
      }),
    ],
    resync: () => namesOf(records.snapshot().keys(), recordName),
  };
}

/**
 * The Cell loop: For(Cell records), Watches(presence cell keys → cell id, from the watcher's shard
 * snapshots), Watches(the watcher's committed events → their subject). Resync covers every Cell record and every presence key, so a
 * record whose cell ended while no controller ran is revisited without any event being remembered.
 */
export interface CellLoopParts {
  readonly client: ConsulClient;
  readonly layout: KvLayout;
  readonly store: RecordStore<Cell>;
  /** The committing watcher (its `events` are fed from the durable log, so they follow the commit). */
  readonly watcher: { readonly events: Pick<EventBus<Subjected>, 'on'> };
  /** Informer over the Cell records' shards (`store.keys.watchPrefixes`). */
  readonly records: LookupSource;
  /** The presence keys of live cells: the watcher's `cellKeys`. */
  readonly presenceCells: LookupSource;
  /** @default CONTROLLER_DEFAULTS.cellRetentionMs */
  readonly retentionMs?: number;
}

export function cellLoop(parts: CellLoopParts): LoopDeclaration<string> {
  const { client, layout, store, watcher, records, presenceCells, retentionMs } = parts;
  const recordName = (key: string): string | undefined => store.keys.parse(key)?.name;
  const cellId = (key: string): string | undefined => {
    const where = layout.presence.classify(key);
    return where?.kind === 'cell' ? where.id : undefined;
  };
  const reconciler = new CellReconciler({
    client,
    store,
    presence: layout.presence,
    ...(retentionMs === undefined ? {} : { retentionMs }),
  });
  const caches = { records, recordKeys: store.keys, presence: presenceCells, presenceKeys: layout.presence };
  return {
    name: CellKind.kind,
    // Judged when the key is taken from the queue, from the caches as they are then: a cell whose record
    // already mirrors its presence key costs no request. Most notifications are such: the records informer
    // echoing this loop's own writes, and every live cell at a controller's start or failover.
    reconciler: {
      reconcile: (id, signal) =>
        cellInStep(id, caches) ? Promise.resolve(done) : reconciler.reconcile(id, signal),
    },
    watches: [
      kvWatch('cell records', records, recordName),
      kvWatch('presence cells', presenceCells, cellId),
      watches(
        'presence events',
        (listener: (event: Subjected) => void) => watcher.events.on(listener),
        (event) => [event.subject],
      ),
    ],
    // Every record and every presence key is judged, from the caches; only those out of step are queued.
    resync: () =>
      cellsToResync({
        records: records.snapshot(),
        recordKeys: store.keys,
        presence: presenceCells.snapshot(),
        presenceKeys: layout.presence,
        retentionMs: retentionMs ?? CONTROLLER_DEFAULTS.cellRetentionMs,
        now: new Date(),
      }),
  };
}

/** A watch over an informer: each changed key's record name, when the key names one. */
function kvWatch(
  name: string,
  informer: KeySource,
  nameOf: (key: string) => string | undefined,
): Watch<string> {
  return watches(
    name,
    (listener: (changes: readonly KvChange[]) => void) => informer.onChange(listener),
    (changes) =>
      namesOf(
        changes.map((change) => change.key),
        nameOf,
      ),
  );
}

/** The record names a set of keys names (keys that name none, or not a plain name, are skipped). */
function namesOf(keys: Iterable<string>, nameOf: (key: string) => string | undefined): Set<string> {
  const names = new Set<string>();
  for (const key of keys) {
    const name = nameOf(key);
    if (name !== undefined && name !== '' && !name.includes('/')) names.add(name);
  }
  return names;
}
