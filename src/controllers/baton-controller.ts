import { CellKind, SingletonKind } from '../api/kinds.js';
import type { Cell } from '../api/cell.js';
import type { Singleton } from '../api/singleton.js';
import { PrefixInformer } from '../cache/prefix-informer.js';
import { ShardedInformer } from '../cache/sharded-informer.js';
import type { ConsulClient } from '../consul/client.js';
import type { KvEntry } from '../consul/wire.js';
import { AbortedError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import type { BatonMetrics } from '../metrics/baton-metrics.js';
import { PresenceWatcher } from '../presence/presence-watcher.js';
import { PRESENCE_EVENTS } from '../presence/presence-event.js';
import { DeclaredLoops, type LoopSettings } from '../runtime/controller-builder.js';
import { WorkQueue } from '../runtime/work-queue.js';
import { KvLayout } from '../layout/kv-layout.js';
import { SINGLETON_EVENTS } from '../singleton/singleton-events.js';
import { linkSignals } from '../time/linked-signal.js';
import { RecordStore } from '../store/record-store.js';
import { cellLoop, singletonLoop } from './baton-loops.js';
import { LockGc } from './lock-gc.js';
import { removeUnshardedCellRecords } from './unsharded-cell-records.js';
import { CONTROLLER_DEFAULTS } from './defaults.js';

export interface BatonControllerOptions {
  readonly client: ConsulClient;
  readonly metrics: BatonMetrics;
  /** The installation's KV root (see `KvLayout`). @default 'baton/v1' */
  readonly root?: string;
  /** Periodic re-reconcile of every record: a safety net, not the detection path. @default CONTROLLER_DEFAULTS.resyncMs */
  readonly resyncMs?: number;
  /** Where this component logs (pino; a child logger is derived). @default silentLogger: quiet */
  readonly logger?: Logger;
  /** Lost/Departed Cell records are deleted this long after the cell ended. @default CONTROLLER_DEFAULTS.cellRetentionMs */
  readonly cellRetentionMs?: number;
  /** Lock keys nobody holds are deleted after this long. @default CONTROLLER_DEFAULTS.lockRetentionMs */
  readonly lockRetentionMs?: number;
}

/**
 * The reconcile loops over Baton's records: prefix informers (singletons, locks) and the presence watcher
 * feed deduplicating work queues; level-triggered reconcilers write status and events. Run it only in the
 * active controller process (see ControllerDaemon); `run` returns when its signal aborts.
 */
export class BatonController {
  readonly singletons: RecordStore<Singleton>;
  readonly cells: RecordStore<Cell>;
  readonly layout: KvLayout;
  readonly #options: BatonControllerOptions;
  readonly #log: Logger;
  #synced = false;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: BatonControllerOptions) {
    this.#options = options;
    this.#log = childLogger(options.logger ?? silentLogger, { component: 'controller' });
    this.layout = new KvLayout(options.root);
    const storeOptions = { consistency: 'consistent', root: this.layout.root } as const;
    this.singletons = new RecordStore(options.client, SingletonKind, storeOptions);
    this.cells = new RecordStore(options.client, CellKind, storeOptions);
  }

  /** True once every informer and the presence watcher took in their first snapshot. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Run the loops until `signal` aborts or `stop()` is called; resolves once everything has stopped. */
  run(signal?: AbortSignal): Promise<void> {
    const linked = linkSignals([signal, this.#stop.signal]);
    this.#running = this.#run(linked.signal).finally(() => linked.dispose());
    return this.#running;
  }

  /** Stop the loops started by `run()` and wait for them. */
  async stop(): Promise<void> {
    this.#stop.abort(new AbortedError('controller stopped'));
    await this.#running?.catch(() => undefined);
  }

  /** `await using controller = new BatonController(…)`: stops its loops when the block exits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { client, metrics } = this.#options;
    const onError = (error: unknown, context: { prefix: string; during: string }): void => {
      this.#log.warn({ err: error, ...context }, 'informer error');
    };
    const records = new PrefixInformer({ client, prefix: this.singletons.keys.prefix, onError });
    const locks = new PrefixInformer({ client, prefix: this.layout.locks.prefix, onError });
    // Cells are resynced from durable data: every Cell record and every presence key, not only ids seen.
    // The presence keys come from the watcher's own shard snapshots (one watch of presence, not two).
    // Cell records are sharded like presence: a change re-reads one shard's records, not all of them.
    const cellRecords = new ShardedInformer({
      client,
      prefixes: this.cells.keys.watchPrefixes,
      onError,
      busyFraction: CONTROLLER_DEFAULTS.cellRecordsBusyFraction,
    });
    const watcher = new PresenceWatcher({
      client,
      root: this.layout.root,
      eventLog: new EventLog({ client, stream: PRESENCE_EVENTS, root: this.layout.root, logger: this.#log }),
      logger: this.#log,
    });
    const loops = new DeclaredLoops<string>(
      [
        singletonLoop({
          client,
          layout: this.layout,
          store: this.singletons,
          events: new EventLog({
            client,
            stream: SINGLETON_EVENTS,
            root: this.layout.root,
            logger: this.#log,
          }),
          metrics,
          records,
          locks,
        }),
        cellLoop({
          client,
          layout: this.layout,
          store: this.cells,
          watcher,
          records: cellRecords,
          presenceCells: watcher.cellKeys,
          ...(this.#options.cellRetentionMs === undefined
            ? {}
            : { retentionMs: this.#options.cellRetentionMs }),
        }),
      ],
      this.#loopSettings(),
    );
    watcher.events.on((event) => {
      if (event.type === 'CellLost') metrics.cellLost.inc();
    });

    const informers = [records, locks, cellRecords];
    const lockGc = new LockGc({
      client,
      locks: this.layout.locks,
      logger: this.#log,
      ...(this.#options.lockRetentionMs === undefined ? {} : { retentionMs: this.#options.lockRetentionMs }),
    });
    // The loops subscribe to their sources first, so the informers' first snapshots are not missed.
    const running = [loops.run(signal), ...informers.map((i) => i.run(signal)), lockGc.run(signal)];
    try {
      await Promise.all([...informers.map((i) => i.waitForSync(signal)), watcher.start(signal)]);
      this.#synced = true;
      this.#log.info('controller caches synced');
      this.#removeUnshardedCellRecords(signal);
      metrics.sources.invalidRecords = () => {
        const decoded = this.singletons.decode(records.snapshot().values());
        return new Map([[SingletonKind.kind, decoded.filter((entry) => entry.error !== undefined).length]]);
      };
      metrics.sources.cellsByPhase = () => this.#cellsByPhase(cellRecords.snapshot().values());
      // The watcher's start also resolves on abort: an already-aborted signal fires no 'abort' event.
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      delete metrics.sources.cellsByPhase;
      delete metrics.sources.invalidRecords;
      this.#synced = false;
      await watcher.stop();
      await Promise.allSettled(running);
    }
  }

  /** Delete Cell records of the unsharded layout, once, off the loops' path (a failure is logged). */
  #removeUnshardedCellRecords(signal: AbortSignal): void {
    removeUnshardedCellRecords(this.#options.client, this.cells.keys, signal).then(
      (removed) => {
        if (removed > 0)
          this.#log.info({ removed }, 'removed Cell records of the unsharded layout (rewritten in shards)');
      },
      (error: unknown) => {
        if (!signal.aborted)
          this.#log.warn({ err: error }, 'could not remove Cell records of the unsharded layout');
      },
    );
  }

  /** What both loops share: the resync period, a queue that reports to metrics, reconcile metrics. */
  #loopSettings(): LoopSettings<string> {
    const { metrics } = this.#options;
    return {
      resyncMs: this.#options.resyncMs ?? CONTROLLER_DEFAULTS.resyncMs,
      concurrency: 4,
      logger: this.#log,
      queue: (kind) => {
        const queue = new WorkQueue<string>({ observer: metrics.workQueue.observer(kind) });
        metrics.workQueue.track(kind, queue);
        return queue;
      },
      onReconciled: (kind, event) => {
        metrics.reconcileDuration.observe({ kind, outcome: event.outcome }, event.durationMs / 1_000);
        if (event.outcome === 'error') metrics.reconcileErrors.inc({ kind });
      },
    };
  }

  /** Cell records by status phase, from the informer's snapshot (a record without status is Unknown). */
  #cellsByPhase(values: Iterable<KvEntry>): Map<string, number> {
    const phases = new Map<string, number>();
    for (const entry of this.cells.decode(values)) {
      if (entry.error !== undefined) continue;
      const phase = entry.record.status?.phase ?? 'Unknown';
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
    }
    return phases;
  }
}
