import { awaitDelivered } from './delivery.js';
import { killHard, nextMessage } from './processes.js';
import type { FromPool } from './protocol.js';
import { sleep, until } from './stats.js';
import type { Fleet } from './topology.js';

const CHURN_RATE = 2;
const LEAD_IN_MS = 8_000;
const MARGIN_MS = 5_000;
const DELIVERY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 50;

/**
 * Scenario 5: while one pool keeps a slow churn, SIGKILL the active controller; time until the standby's
 * /readyz answers 200 as `leading`, and check every change committed around the failover is delivered.
 */
export async function controllerFailover(fleet: Fleet, log: (line: string) => void) {
  const pool = fleet.pools.find((p) => p.alive && p.kind === 'bulk');
  if (pool === undefined) throw new Error('no live pool to churn');
  const active = await fleet.active();
  const standby = fleet.controllers.find((c) => c !== active);
  if (active === undefined || standby === undefined)
    throw new Error('need an active and a standby controller');
  pool.send({ type: 'churnLoop', ratePerSec: CHURN_RATE });
  await sleep(LEAD_IN_MS);

  const killedAt = Date.now();
  await killHard(active.child);
  let readyAt: number | undefined;
  await until(
    async () => {
      const readiness = await fleet.readiness(standby);
      if (readiness.status === 200 && readiness.state === 'leading') readyAt = Date.now();
      return readyAt !== undefined;
    },
    120_000,
    READY_POLL_MS,
  );
  await sleep(MARGIN_MS);
  pool.send({ type: 'stopChurn' });
  await nextMessage<FromPool>(pool.child, (m) => m.type === 'churnStopped', 60_000, 'stop churn');

  const windowEnd = (readyAt ?? Date.now()) + MARGIN_MS;
  const ids = new Set(pool.ids);
  const window = fleet.changes.between(killedAt - MARGIN_MS, windowEnd).filter((c) => ids.has(c.id));
  const deliveries = await awaitDelivered(fleet, window, DELIVERY_TIMEOUT_MS);
  const lost = deliveries.filter((d) => d.receivedAt === undefined);
  const result = {
    killed: active.name,
    standby: standby.name,
    readyMs: readyAt === undefined ? null : readyAt - killedAt,
    changesInWindow: deliveries.length,
    lostEvents: lost.length,
    lostSample: lost.slice(0, 10).map((d) => ({ ...d.change, event: d.event })),
    lostLocally: window.filter((c) => c.kind === 'lostLocally').length,
  };
  log(
    `controller failover: ready in ${result.readyMs} ms, ${result.changesInWindow} changes in the window, ${lost.length} lost`,
  );
  return result;
}
