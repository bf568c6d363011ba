import { CellKind, SingletonKind } from '../api/kinds.js';
import type { Cell } from '../api/cell.js';
import type { Singleton } from '../api/singleton.js';
import { PrefixInformer } from '../cache/prefix-informer.js';
import type { KvChange } from '../cache/diff-snapshots.js';
import type { ConsulClient } from '../consul/client.js';
import { describeError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { BatonMetrics } from '../metrics/baton-metrics.js';
import { PresenceWatcher } from '../presence/presence-watcher.js';
import { PRESENCE_STREAM } from '../presence/presence-event.js';
import { PresenceKeys } from '../presence/presence-keys.js';
import { Controller, type ReconcileEvent } from '../runtime/controller.js';
import type { Reconciler } from '../runtime/reconciler.js';
import { LOCK_PREFIX } from '../singleton/keys.js';
import { SINGLETON_STREAM } from '../singleton/singleton-events.js';
import { RecordStore } from '../store/record-store.js';
import { CellReconciler } from './cell-reconciler.js';
import { SingletonReconciler } from './singleton-reconciler.js';

export interface BatonControllerOptions {
  readonly client: ConsulClient;
  readonly metrics: BatonMetrics;
  /** Periodic re-reconcile of every record: a safety net, not the detection path. @default 30000 */
  readonly resyncMs?: number;
  readonly logger?: Logger;
}

/**
 * The reconcile loops over Baton's records: prefix informers (singletons, locks) and the presence watcher
 * feed deduplicating work queues; level-triggered reconcilers write status and events. Run it only in the
 * active controller process (see ControllerDaemon); `run` returns when its signal aborts.
 */
export class BatonController {
  readonly singletons: RecordStore<Singleton>;
  readonly cells: RecordStore<Cell>;
  readonly presenceKeys = new PresenceKeys();
  readonly #options: BatonControllerOptions;
  readonly #log: Logger;
  #synced = false;

  constructor(options: BatonControllerOptions) {
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'controller' });
    this.singletons = new RecordStore(options.client, SingletonKind, { consistency: 'consistent' });
    this.cells = new RecordStore(options.client, CellKind, { consistency: 'consistent' });
  }

  /** True once every informer and the presence watcher took in their first snapshot. */
  get synced(): boolean {
    return this.#synced;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { client, metrics } = this.#options;
    const resyncMs = this.#options.resyncMs ?? 30_000;
    const onError = (error: unknown, context: { prefix: string; during: string }): void => {
      this.#log.warn({ err: describeError(error), ...context }, 'informer error');
    };
    const records = new PrefixInformer({ client, prefix: this.singletons.keys.prefix, onError });
    const locks = new PrefixInformer({ client, prefix: LOCK_PREFIX, onError });
    // Cells are resynced from durable data: every Cell record and every presence key, not only ids seen.
    const cellRecords = new PrefixInformer({ client, prefix: this.cells.keys.prefix, onError });
    const presenceCells = new PrefixInformer({ client, prefix: this.presenceKeys.cellsPrefix, onError });
    const watcher = new PresenceWatcher({
      client,
      keys: this.presenceKeys,
      eventLog: new EventLog({ client, stream: PRESENCE_STREAM, logger: this.#log }),
      logger: this.#log,
    });
    const singletonLoop = this.#loop(
      'singletons',
      new SingletonReconciler({
        client,
        store: this.singletons,
        events: new EventLog({ client, stream: SINGLETON_STREAM, logger: this.#log }),
        metrics,
      }),
      resyncMs,
      () => this.#names(records.snapshot().keys(), (key) => this.singletons.keys.parse(key)?.name),
    );
    const cellLoop = this.#loop(
      'cells',
      new CellReconciler({ client, store: this.cells, presence: this.presenceKeys }),
      resyncMs,
      () =>
        new Set([
          ...this.#names(cellRecords.snapshot().keys(), (key) => this.cells.keys.parse(key)?.name),
          ...this.#names(presenceCells.snapshot().keys(), (key) => this.#cellId(key)),
        ]),
    );

    records.onChange((changes) =>
      this.#enqueue(singletonLoop, changes, (key) => singletonName(key, this.singletons.keys.prefix)),
    );
    locks.onChange((changes) =>
      this.#enqueue(singletonLoop, changes, (key) => key.slice(LOCK_PREFIX.length)),
    );
    cellRecords.onChange((changes) =>
      this.#enqueue(cellLoop, changes, (key) => this.cells.keys.parse(key)?.name),
    );
    presenceCells.onChange((changes) => this.#enqueue(cellLoop, changes, (key) => this.#cellId(key)));
    watcher.events.on((event) => {
      if (event.type === 'CellLost') metrics.cellLost.inc();
      cellLoop.enqueue(event.subject);
    });

    const informers = [records, locks, cellRecords, presenceCells];
    const running = [...informers.map((i) => i.run(signal)), singletonLoop.run(signal), cellLoop.run(signal)];
    try {
      await Promise.all([...informers.map((i) => i.waitForSync(signal)), watcher.start(signal)]);
      this.#synced = true;
      this.#log.info('controller caches synced');
      const depth = setInterval(() => {
        metrics.queueDepth.set({ kind: 'Singleton' }, singletonLoop.queue.length);
        metrics.queueDepth.set({ kind: 'Cell' }, cellLoop.queue.length);
        metrics.consulRequests.set(client.stats.requests);
        metrics.consulRequestErrors.set(client.stats.errors);
        const invalid = this.singletons
          .decode(records.snapshot().values())
          .filter((e) => e.error !== undefined);
        metrics.invalidRecords.set({ kind: 'Singleton' }, invalid.length);
      }, 1_000);
      // The watcher's start also resolves on abort: an already-aborted signal fires no 'abort' event.
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      clearInterval(depth);
    } finally {
      this.#synced = false;
      await watcher.stop();
      await Promise.allSettled(running);
    }
  }

  #loop(
    kind: string,
    reconciler: Reconciler,
    resyncMs: number,
    listKeys: () => Iterable<string>,
  ): Controller {
    const { metrics } = this.#options;
    return new Controller<string>({
      name: kind,
      reconciler,
      resyncMs,
      listKeys,
      concurrency: 4,
      logger: this.#log,
      onReconciled: (event: ReconcileEvent<string>) => {
        metrics.reconcileDuration.observe({ kind, outcome: event.outcome }, event.durationMs / 1_000);
        if (event.outcome === 'error') metrics.reconcileErrors.inc({ kind });
      },
    });
  }

  #enqueue(
    loop: Controller,
    changes: readonly KvChange[],
    nameOf: (key: string) => string | undefined,
  ): void {
    for (const change of changes) {
      const name = nameOf(change.key);
      if (name !== undefined && name !== '' && !name.includes('/')) loop.enqueue(name);
    }
  }

  #cellId(key: string): string | undefined {
    const where = this.presenceKeys.classify(key);
    return where?.kind === 'cell' ? where.id : undefined;
  }

  #names(keys: Iterable<string>, nameOf: (key: string) => string | undefined): Set<string> {
    const names = new Set<string>();
    for (const key of keys) {
      const name = nameOf(key);
      if (name !== undefined) names.add(name);
    }
    return names;
  }
}

/** `baton/v1/singletons/<name>/<anything>` → name (spec, status and step-down keys all count). */
function singletonName(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  return key.slice(prefix.length).split('/')[0];
}
