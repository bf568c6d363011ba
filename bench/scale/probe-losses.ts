import { incarnations, lostArrivals } from './delivery.js';
import { distribution, until } from './stats.js';
import type { Fleet } from './topology.js';

const LOST_TIMEOUT_MS = 60_000;

/** Scenario 2: SIGKILL every probe pool; CellLost latency from the kill; then the probes start again. */
export async function probeLosses(fleet: Fleet, log: (line: string) => void) {
  const pools = fleet.pools.filter((pool) => pool.kind === 'probe' && pool.alive);
  const victims = incarnations(
    fleet,
    pools.flatMap((pool) => [...pool.ids]),
  );
  const killedAt = new Map<string, number>();
  await Promise.all(
    pools.map((pool) => {
      const at = Date.now();
      for (const id of pool.ids) killedAt.set(id, at);
      return pool.kill();
    }),
  );
  await until(() => lostArrivals(fleet, victims).size === victims.size, LOST_TIMEOUT_MS, 100);
  const arrivals = lostArrivals(fleet, victims);
  const latencies = [...arrivals].map(([id, at]) => at - (killedAt.get(id) ?? at));
  const cellLost = distribution(latencies);
  const missing = victims.size - arrivals.size;
  log(
    `probe losses: ${victims.size} killed, CellLost median ${cellLost.medianMs} ms p99 ${cellLost.p99Ms} ms, ${missing} missing`,
  );

  const restartedAt = Date.now();
  await Promise.all(pools.map((pool) => fleet.startPool(pool.host, 'probe', pool.ids)));
  const back = await until(
    () => pools.every((pool) => pool.ids.every((id) => fleet.hasRegistered(id))),
    120_000,
    200,
  );
  if (!back) fleet.errors.push('probe losses: restarted probes not all seen registered within 120 s');
  return { killed: victims.size, cellLost, missing, restartMs: Date.now() - restartedAt };
}
