import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's `*_total` gauges: a gauge must not end in `_total` (promlint), and each is only the sum of
 * its per-type gauge (`nodejs_active_handles{type}` and so on), which stays.
 */
const NOT_PROMLINT_CLEAN = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Process and Node.js metrics under their standard names (`process_*`, `nodejs_*`), as stock dashboards expect. */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of NOT_PROMLINT_CLEAN) registry.removeSingleMetric(name);
}
