import { awaitDelivered } from './delivery.js';
import { nextMessage } from './processes.js';
import type { FromPool } from './protocol.js';
import { distribution, round } from './stats.js';
import type { Fleet } from './topology.js';

const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Scenario 4: every surviving cell departs cleanly and registers again (a new Cell, a new incarnation), spread
 * evenly over the surviving pools so the fleet moves at `--deploy-rate` cells per second.
 */
export async function rollingDeploy(
  fleet: Fleet,
  log: (line: string) => void,
  zoneVictims: ReadonlySet<string>,
) {
  const active = await fleet.active();
  if (active === undefined) throw new Error('no active controller');
  const pools = fleet.pools.filter((pool) => pool.alive);
  const total = pools.reduce((sum, pool) => sum + pool.ids.length, 0);
  const expectedMs = (total / fleet.options.deployRate) * 1_000;
  log(
    `rolling deploy: ${total} cells at ${fleet.options.deployRate}/s (about ${Math.round(expectedMs / 1_000)} s)`,
  );
  const before = await fleet.scrape(active);
  const startedAt = Date.now();
  const results = await Promise.all(
    pools.map(async (pool) => {
      pool.send({
        type: 'churn',
        ids: pool.ids,
        ratePerSec: (fleet.options.deployRate * pool.ids.length) / total,
      });
      return nextMessage<FromPool>(
        pool.child,
        (m) => m.type === 'churned',
        expectedMs * 3 + 120_000,
        'deploy',
      );
    }),
  );
  const after = await fleet.scrape(active);
  const endedAt = Date.now();
  const failed = results.reduce((sum, m) => sum + (m.type === 'churned' ? m.failed : 0), 0);
  const ids = new Set(pools.flatMap((pool) => [...pool.ids]));
  const window = fleet.changes.between(startedAt, endedAt).filter((change) => ids.has(change.id));
  const deliveries = await awaitDelivered(fleet, window, DELIVERY_TIMEOUT_MS);
  const delivered = deliveries.filter((d) => d.receivedAt !== undefined);
  const lag = distribution(delivered.map((d) => (d.receivedAt ?? 0) - d.change.committedAt));
  const departures = delivered.filter((d) => d.change.issuedAt !== undefined);
  const lagFromStopCall = distribution(departures.map((d) => (d.receivedAt ?? 0) - (d.change.issuedAt ?? 0)));
  const falseEvents = fleet.events
    .since(startedAt)
    .filter((event) => event.type === 'CellLost' && !zoneVictims.has(event.subject));
  const falseLost = falseEvents.length;
  const seconds = (after.at - before.at) / 1_000;
  const watcherCpuCores =
    before.cpuSeconds === null || after.cpuSeconds === null
      ? null
      : (after.cpuSeconds - before.cpuSeconds) / seconds;
  const result = {
    cells: total,
    durationMs: endedAt - startedAt,
    changes: deliveries.length,
    undelivered: deliveries.length - delivered.length,
    failedChanges: failed,
    lostLocally: window.filter((change) => change.kind === 'lostLocally').length,
    lag,
    lagFromStopCall,
    lagP99Ms: lag.p99Ms,
    watcherCpuCores: round(watcherCpuCores, 4),
    requestsPerSec: round(
      before.requests === null || after.requests === null
        ? null
        : (after.requests - before.requests) / seconds,
      2,
    ),
    falseLost,
    falseLostSample: falseEvents.slice(0, 10),
  };
  log(
    `rolling deploy: ${result.changes} changes, lag median ${lag.medianMs} p99 ${lag.p99Ms} max ${lag.maxMs} ms, ` +
      `watcher ${result.watcherCpuCores} cores, undelivered ${result.undelivered}, false CellLost ${falseLost}`,
  );
  return result;
}
