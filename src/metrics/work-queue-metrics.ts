import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WorkQueue, WorkQueueObserver } from '../runtime/work-queue.js';

/** client-go's workqueue buckets: 1 µs to ~17 min, ×10 (a reconcile is milliseconds, a backlog minutes). */
const BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1_000];

/**
 * controller-runtime's work queue metrics, labelled by the record `kind` each queue serves. Counters and
 * histograms are fed by the queue's own observer; depth and the longest-running key are read from the
 * tracked queues at scrape time.
 */
export class WorkQueueMetrics {
  readonly #queues = new Map<string, WorkQueue<unknown>>();
  readonly #adds: Counter<'kind'>;
  readonly #retries: Counter<'kind'>;
  readonly #queueDuration: Histogram<'kind'>;
  readonly #workDuration: Histogram<'kind'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['kind'] as const;
    this.#adds = new Counter({
      name: 'baton_workqueue_adds_total',
      help: 'Keys added to the work queue (adds collapsed into a pending key not counted), by record kind',
      labelNames,
      registers,
    });
    this.#retries = new Counter({
      name: 'baton_workqueue_retries_total',
      help: 'Keys scheduled again with backoff after a failed reconcile, by record kind',
      labelNames,
      registers,
    });
    this.#queueDuration = new Histogram({
      name: 'baton_workqueue_queue_duration_seconds',
      help: 'How long a key waited in the work queue before a worker took it, by record kind',
      labelNames,
      buckets: BUCKETS,
      registers,
    });
    this.#workDuration = new Histogram({
      name: 'baton_workqueue_work_duration_seconds',
      help: 'How long processing one key took, by record kind',
      labelNames,
      buckets: BUCKETS,
      registers,
    });
    const queues = this.#queues;
    new Gauge({
      name: 'baton_workqueue_depth',
      help: 'Keys waiting in the work queue (not counting delayed retries), by record kind',
      labelNames,
      registers,
      collect() {
        for (const [kind, queue] of queues) this.set({ kind }, queue.length);
      },
    });
    new Gauge({
      name: 'baton_workqueue_longest_running_processor_seconds',
      help: 'How long the longest-running reconcile in progress has been running, by record kind',
      labelNames,
      registers,
      collect() {
        for (const [kind, queue] of queues) this.set({ kind }, queue.longestRunningMs() / 1_000);
      },
    });
  }

  /** The observer to give the queue serving `kind`. */
  observer(kind: string): WorkQueueObserver {
    return {
      added: () => this.#adds.inc({ kind }),
      retried: () => this.#retries.inc({ kind }),
      started: (queuedMs) => this.#queueDuration.observe({ kind }, queuedMs / 1_000),
      finished: (workMs) => this.#workDuration.observe({ kind }, workMs / 1_000),
    };
  }

  /** Report `queue`'s depth and longest-running key as `kind` (the latest queue for a kind wins). */
  track(kind: string, queue: WorkQueue<unknown>): void {
    this.#queues.set(kind, queue);
  }
}
