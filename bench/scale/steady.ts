import { awaitDelivered, incarnations } from './delivery.js';
import { nextMessage } from './processes.js';
import type { FromPool } from './protocol.js';
import { metricByLabel, processCpuSeconds, round, sleep } from './stats.js';
import type { Fleet } from './topology.js';

/** Probe cells that depart and re-register to measure what the controller reads per presence change. */
const CHURN_CELLS = 20;
const CHURN_RATE = 10;

/** Scenario 1: the installation at rest, then a small probe churn for the bytes per presence change. */
export async function steady(fleet: Fleet, log: (line: string) => void) {
  const converged = await controllerConverged(fleet);
  log(
    `controller converged: ${converged.present} Cell records Present, queue empty, ${converged.ms} ms after registration`,
  );
  const active = await fleet.active();
  if (active === undefined) throw new Error('no active controller');
  const before = await fleet.scrape(active);
  const serverBefore = processCpuSeconds(fleet.server.pid);
  await sleep(fleet.options.steadyMs);
  const after = await fleet.scrape(active);
  const serverAfter = processCpuSeconds(fleet.server.pid);
  const seconds = (after.at - before.at) / 1_000;
  const delta = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : b - a;
  const perSecond = (value: number | null): number | null => (value === null ? null : value / seconds);

  const churn = await probeChurn(fleet);
  const steadyFigures = {
    controller: active.name,
    windowSeconds: round(seconds, 1),
    watcherCpuCores: round(perSecond(delta(before.cpuSeconds, after.cpuSeconds)), 4),
    watcherRssMb: round(after.rssBytes === null ? null : after.rssBytes / 2 ** 20, 1),
    watcherHeapUsedMb: round(after.heapUsedBytes === null ? null : after.heapUsedBytes / 2 ** 20, 1),
    watcherExternalMb: round(after.externalBytes === null ? null : after.externalBytes / 2 ** 20, 1),
    requestsPerSec: round(perSecond(delta(before.requests, after.requests)), 2),
    responseBytesPerSec: round(perSecond(delta(before.responseBytes, after.responseBytes)), 0),
    requestsPerSecByEndpoint: rateByEndpoint(before.requestsByEndpoint, after.requestsByEndpoint, seconds),
    serverCpuCores: round(perSecond(delta(serverBefore, serverAfter)), 4),
    convergedMs: converged.ms,
    probeChurn: churn,
    pools: await fleet.poolMemory(),
  };
  log(
    `steady: watcher ${steadyFigures.watcherCpuCores} cores, ${steadyFigures.watcherRssMb} MB, ` +
      `${steadyFigures.requestsPerSec} req/s, server ${steadyFigures.serverCpuCores} cores, ` +
      `${churn.bytesPerPresenceChange ?? 'n/a'} B/change`,
  );
  return steadyFigures;
}

async function probeChurn(fleet: Fleet) {
  const active = await fleet.active();
  if (active === undefined) throw new Error('no active controller');
  const probePools = fleet.pools.filter((pool) => pool.kind === 'probe' && pool.alive);
  const perPool = Math.max(1, Math.ceil(CHURN_CELLS / probePools.length));
  const plan = probePools.map((pool) => ({ pool, ids: pool.ids.slice(0, perPool) }));
  const churned = plan.flatMap(({ ids }) => ids).slice(0, CHURN_CELLS);
  const previous = incarnations(fleet, churned);
  const before = await fleet.scrape(active);
  const startedAt = Date.now();
  await Promise.all(
    plan.map(async ({ pool, ids }) => {
      const mine = ids.filter((id) => churned.includes(id));
      if (mine.length === 0) return;
      pool.send({ type: 'churn', ids: mine, ratePerSec: CHURN_RATE / probePools.length });
      await nextMessage<FromPool>(pool.child, (m) => m.type === 'churned', 120_000, 'probe churn');
    }),
  );
  const changes = fleet.changes
    .between(startedAt, Date.now())
    .filter((change) => previous.has(change.id) && change.kind !== 'lostLocally');
  const deliveries = await awaitDelivered(fleet, changes, 30_000);
  // Let the controller finish what the last change set off (status writes, informer reads) before reading.
  await sleep(2_000);
  const after = await fleet.scrape(active);
  const events = fleet.events.since(startedAt).length;
  const bytes =
    before.responseBytes === null || after.responseBytes === null
      ? null
      : after.responseBytes - before.responseBytes;
  return {
    cells: churned.length,
    changes: changes.length,
    undelivered: deliveries.filter((d) => d.receivedAt === undefined).length,
    presenceEvents: events,
    windowMs: after.at - startedAt,
    responseBytes: bytes,
    requests: before.requests === null || after.requests === null ? null : after.requests - before.requests,
    bytesPerPresenceChange: bytes === null || events === 0 ? null : Math.round(bytes / events),
  };
}

/** Requests per second per endpoint between two scrapes (endpoints that made none are left out). */
function rateByEndpoint(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  seconds: number,
): Record<string, number | null> {
  const rates: Record<string, number | null> = {};
  for (const [endpoint, count] of Object.entries(after)) {
    const delta = count - (before[endpoint] ?? 0);
    if (delta > 0) rates[endpoint] = round(delta / seconds, 2);
  }
  return rates;
}

/**
 * Rest begins once the active controller has caught up with registration: its Cell queue empty and the
 * count of Present records unchanged over three samples 2 s apart, at 99 % of N or more (cells that really
 * lost their sessions under the load of registering are not Present and never will be; at N = 10,000 a
 * fast registration leaves minutes of reconciles).
 */
async function controllerConverged(fleet: Fleet): Promise<{ ms: number; present: number }> {
  const startedAt = Date.now();
  let streak = 0;
  let present = 0;
  while (Date.now() - startedAt < 30 * 60_000) {
    const active = await fleet.active();
    if (active !== undefined) {
      const text = await fetch(`http://${active.httpAddr}/metrics`, { signal: AbortSignal.timeout(5_000) })
        .then((r) => r.text())
        .catch(() => '');
      const previous = present;
      present = metricByLabel(text, 'baton_cells', 'phase')['Present'] ?? 0;
      const depth = metricByLabel(text, 'baton_workqueue_depth', 'kind')['Cell'];
      const settled = depth === 0 && present === previous && present >= fleet.n * 0.99;
      streak = settled ? streak + 1 : 0;
      if (streak >= 2) return { ms: Date.now() - startedAt, present };
    }
    await sleep(2_000);
  }
  throw new Error(`the controller did not converge in 30 min (${present} of ${fleet.n} Present)`);
}
