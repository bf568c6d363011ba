import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConsulClient } from '../consul/client.js';
import { observeLeases, type Lease } from '../session/lease.js';

/** Whether every lease this process holds was confirmed by the servers recently (for `/healthz`). */
export interface LeaseHealth {
  readonly healthy: boolean;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * The key health signal of self-fencing, per lease (labelled by its session name): how long ago the servers
 * last confirmed it, and how many heartbeat rounds failed. A lease replaced by a newer one of the same name
 * (a singleton campaigning again) is forgotten.
 */
export class LeaseMetrics {
  readonly #leases = new Map<string, Lease>();
  readonly #failures: Counter<'lease'>;

  constructor(registry: Registry) {
    const leases = this.#leases;
    new Gauge({
      name: 'baton_lease_confirmation_age_seconds',
      help: 'Seconds since the servers last confirmed the lease (its holder stops work past its budget)',
      labelNames: ['lease'] as const,
      registers: [registry],
      collect() {
        for (const [name, lease] of leases) this.set({ lease: name }, lease.confirmationAgeMs() / 1_000);
      },
    });
    this.#failures = new Counter({
      name: 'baton_lease_heartbeat_failures_total',
      help: 'Heartbeat rounds whose check pass or server confirmation failed (retried), by lease',
      labelNames: ['lease'] as const,
      registers: [registry],
    });
  }

  /** Follow every lease opened on `client` from now on; returns the function that stops following. */
  observe(client: ConsulClient): () => void {
    return observeLeases(client, (lease) => {
      const name = lease.options.name;
      this.#leases.set(name, lease);
      this.#failures.inc({ lease: name }, 0);
      lease.on((event) => {
        if (event.type === 'heartbeat-failed') this.#failures.inc({ lease: name });
      });
    });
  }

  /**
   * Healthy while at least one lease is open and each was confirmed within its check TTL: past that the
   * agent marks the check critical and the session dies.
   */
  health(): LeaseHealth {
    const leases = [...this.#leases].map(([name, lease]) => ({
      name,
      lost: lease.lost.aborted,
      confirmationAgeMs: Math.round(lease.confirmationAgeMs()),
      checkTtlMs: lease.options.checkTtlMs,
    }));
    const healthy = leases.length > 0 && leases.every((l) => !l.lost && l.confirmationAgeMs < l.checkTtlMs);
    return { healthy, detail: { leases } };
  }
}
