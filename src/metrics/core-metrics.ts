import { Registry } from 'prom-client';
import type { ConsulClient } from '../consul/client.js';
import { registerBuildInfo } from './build-info.js';
import { ConsulRequestMetrics } from './consul-request-metrics.js';
import { LeaseMetrics } from './lease-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';
import { SingletonLeaderMetric } from './singleton-leader-metric.js';

export interface CoreMetricsOptions {
  /** Export `process_*` and `nodejs_*` (off in tests that build many registries in one process). @default true */
  readonly processMetrics?: boolean;
}

/**
 * What every Baton process exports (`baton run`, `baton cell`, the controller), on a registry of its own:
 * process and Node.js metrics, build info, Consul requests, lease health and singleton leadership.
 */
export class CoreMetrics {
  readonly registry = new Registry();
  readonly consul: ConsulRequestMetrics;
  readonly leases: LeaseMetrics;
  readonly leader: SingletonLeaderMetric;

  constructor(options: CoreMetricsOptions = {}) {
    if (options.processMetrics ?? true) registerProcessMetrics(this.registry);
    registerBuildInfo(this.registry);
    this.consul = new ConsulRequestMetrics(this.registry);
    this.leases = new LeaseMetrics(this.registry);
    this.leader = new SingletonLeaderMetric(this.registry);
  }

  /** Count `client`'s requests and follow the leases opened on it; returns the function that stops both. */
  observe(client: ConsulClient): () => void {
    const stops = [this.consul.observe(client), this.leases.observe(client)];
    return () => {
      for (const stop of stops) stop();
    };
  }
}
