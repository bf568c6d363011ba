import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric the controller exports, on a registry of its own (no global state). */
export class BatonMetrics {
  readonly registry = new Registry();
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
  readonly queueDepth = new Gauge({
    name: 'baton_workqueue_depth',
    help: 'Keys waiting to be reconciled, by record kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly invalidRecords = new Gauge({
    name: 'baton_invalid_records',
    help: 'Records that fail their schema right now, by record kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: 'baton_singleton_failovers_total',
    help: 'Changes of the holder of a singleton observed by the controller',
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
    help: 'CellLost events emitted (kill-to-event latency is measured by npm run bench:presence)',
    registers: [this.registry],
  });
  readonly consulRequestErrors = new Gauge({
    name: 'baton_consul_request_errors',
    help: 'Consul HTTP requests that failed (transport or HTTP status) since start',
    registers: [this.registry],
  });
  readonly consulRequests = new Gauge({
    name: 'baton_consul_requests',
    help: 'Consul HTTP requests sent since start',
    registers: [this.registry],
  });
  readonly leading = new Gauge({
    name: 'baton_controller_leading',
    help: '1 while this controller process is the active one',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'baton_process_' });
  }
}
