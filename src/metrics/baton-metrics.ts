import { Counter, Gauge, Histogram } from 'prom-client';
import { CoreMetrics, type CoreMetricsOptions } from './core-metrics.js';
import { WorkQueueMetrics } from './work-queue-metrics.js';

/** What the controller can report at scrape time; each source is set while the loops or tails run. */
export interface ControllerMetricSources {
  /** Records that fail their schema, by record kind. */
  invalidRecords?: () => ReadonlyMap<string, number>;
  /** Cell records by status phase. */
  cellsByPhase?: () => ReadonlyMap<string, number>;
  /** Each event stream's head (last committed seq), read from Consul. */
  eventLogHeads?: () => Promise<ReadonlyMap<string, number>>;
  /** The last seq this replica's `/events` tail delivered, per stream. */
  eventTailCursors?: () => ReadonlyMap<string, number>;
}

/**
 * Every Prometheus metric the controller exports: the core metrics every Baton process has, plus the
 * reconcile loops, work queues, records, singletons' holders and transitions, cells and event logs.
 * `kind` is always a record kind spelt as in manifests (`Singleton`, `Cell`).
 */
export class BatonMetrics extends CoreMetrics {
  readonly sources: ControllerMetricSources = {};
  readonly workQueue = new WorkQueueMetrics(this.registry);
  readonly reconcileDuration = new Histogram({
    name: 'baton_reconcile_duration_seconds',
    help: 'Time spent in one reconcile call, by record kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'baton_reconcile_errors_total',
    help: 'Reconcile calls that failed and will be retried, by record kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly invalidRecords = new Gauge({
    name: 'baton_invalid_records',
    help: 'Records that fail their schema right now, by record kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => {
      this.invalidRecords.reset();
      for (const [kind, count] of this.sources.invalidRecords?.() ?? [])
        this.invalidRecords.set({ kind }, count);
    },
  });
  readonly handovers = new Counter({
    name: 'baton_singleton_handovers_total',
    help: 'New holders after the previous holder released the lock on purpose (stop, step-down, pause)',
    labelNames: ['singleton'] as const,
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: 'baton_singleton_failovers_total',
    help: "New holders after the previous holder's session was lost (a crash, a partition, a TTL expiry)",
    labelNames: ['singleton'] as const,
    registers: [this.registry],
  });
  readonly holder = new Gauge({
    name: 'baton_singleton_holder',
    help: '1 for the identity holding each singleton, 0 for none (holder="")',
    labelNames: ['singleton', 'holder'] as const,
    registers: [this.registry],
  });
  readonly cellLost = new Counter({
    name: 'baton_cell_lost_total',
    help: 'CellLost events emitted (kill-to-event latency is measured by npm run bench:scale)',
    registers: [this.registry],
  });

  constructor(options: CoreMetricsOptions = {}) {
    super(options);
    const { sources } = this;
    new Gauge({
      name: 'baton_cells',
      help: 'Cell records by status phase (records not yet given a status count as Unknown)',
      labelNames: ['phase'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [phase, count] of sources.cellsByPhase?.() ?? []) this.set({ phase }, count);
      },
    });
    // One read of the heads per scrape, shared by both gauges (a registry collects all metrics at once,
    // the head gauge first: it is registered first).
    let heads: Promise<ReadonlyMap<string, number>> = Promise.resolve(new Map());
    new Gauge({
      name: 'baton_event_log_head',
      help: 'The last sequence number committed to each durable event stream',
      labelNames: ['stream'] as const,
      registers: [this.registry],
      async collect() {
        heads = sources.eventLogHeads?.() ?? Promise.resolve(new Map());
        for (const [stream, head] of await heads) this.set({ stream }, head);
      },
    });
    new Gauge({
      name: 'baton_event_subscriber_lag',
      help: "Events committed to each stream that this replica's /events tail has not delivered yet",
      labelNames: ['stream'] as const,
      registers: [this.registry],
      async collect() {
        const committed = await heads.catch(() => new Map<string, number>());
        for (const [stream, cursor] of sources.eventTailCursors?.() ?? []) {
          const head = committed.get(stream);
          if (head !== undefined) this.set({ stream }, Math.max(0, head - cursor));
        }
      },
    });
  }
}
