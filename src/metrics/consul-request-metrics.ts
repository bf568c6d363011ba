import { Counter, Histogram, type Registry } from 'prom-client';
import type { ConsulClient } from '../consul/client.js';

/** Request latencies to Consul: a healthy round trip is ~1 ms on a LAN; the top bucket is the default deadline. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Every Consul request as `baton_consul_requests_total{endpoint,method,code}` and, for requests that are not
 * blocking long-polls (whose duration is the server's hold time), `baton_consul_request_duration_seconds`.
 * `code` is the HTTP status, or `error`, `timeout`, `aborted` when no status came back. An expected 404 read
 * is a `code="404"` request, not an error. `baton_consul_response_bytes_total{endpoint}` counts what was read.
 */
export class ConsulRequestMetrics {
  readonly #requests: Counter<'endpoint' | 'method' | 'code'>;
  readonly #duration: Histogram<'endpoint' | 'method'>;
  readonly #bytes: Counter<'endpoint'>;

  constructor(registry: Registry) {
    this.#requests = new Counter({
      name: 'baton_consul_requests_total',
      help: 'Consul HTTP requests by endpoint class, method and status code (or error, timeout, aborted)',
      labelNames: ['endpoint', 'method', 'code'] as const,
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: 'baton_consul_request_duration_seconds',
      help: 'Latency of Consul HTTP requests that are not blocking long-polls, by endpoint class and method',
      labelNames: ['endpoint', 'method'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.#bytes = new Counter({
      name: 'baton_consul_response_bytes_total',
      help: 'Bytes of Consul HTTP response bodies by endpoint class (what each watched change costs to read)',
      labelNames: ['endpoint'] as const,
      registers: [registry],
    });
  }

  /** Count every request `client` makes from now on; returns the function that stops it. */
  observe(client: ConsulClient): () => void {
    return client.observeRequests((request) => {
      const labels = { endpoint: request.endpoint, method: request.method };
      this.#requests.inc({ ...labels, code: String(request.status) });
      if (!request.blocking) this.#duration.observe(labels, request.durationSeconds);
      if (request.responseBytes > 0) this.#bytes.inc({ endpoint: request.endpoint }, request.responseBytes);
    });
  }
}
