import { incarnations, lostArrivals } from './delivery.js';
import { sleep, until } from './stats.js';
import type { Fleet, Host } from './topology.js';

const LOST_TIMEOUT_MS = 120_000;
const GOSSIP_POLL_MS = 100;

/**
 * Scenario 3: the agents of ceil(10 % of the hosts) and every cell on them die at once (SIGKILL). Gossip
 * detection is timed from the server's view (`serfHealth` critical for the node).
 */
export async function zoneOutage(fleet: Fleet, log: (line: string) => void) {
  const zone = fleet.hosts.filter((host) => host.alive).slice(0, Math.ceil(fleet.options.hosts * 0.1));
  const victimIds = zone.flatMap((host) => host.pools.flatMap((pool) => [...pool.ids]));
  const victims = incarnations(fleet, victimIds);
  const duplicatesBefore = fleet.events.duplicates;

  const killedAt = Date.now();
  for (const host of zone) host.alive = false;
  await Promise.all(zone.flatMap((host) => [host.agent.kill(), ...host.pools.map((pool) => pool.kill())]));
  const detection = await Promise.all(zone.map((host) => detectCritical(fleet, host, killedAt)));

  await until(() => lostArrivals(fleet, victims).size === victims.size, LOST_TIMEOUT_MS, 100);
  const arrivals = lostArrivals(fleet, victims);
  const lastLost = arrivals.size === 0 ? null : Math.max(...arrivals.values()) - killedAt;
  // Anything a late event would still show up in: give the watcher a moment past the last loss.
  await sleep(2_000);
  const falseEvents = fleet.events
    .since(killedAt)
    .filter((event) => event.type === 'CellLost' && !victims.has(event.subject));
  const falseLost = falseEvents.length;
  const detected = detection.filter((ms): ms is number => ms !== null);
  const result = {
    hosts: zone.map((host) => host.agent.options.nodeName),
    killed: victims.size,
    gossipDetectionMs: detected.length === zone.length ? Math.max(...detected) : null,
    gossipDetectionPerHostMs: detection,
    lastCellLostMs: lastLost,
    missing: victims.size - arrivals.size,
    duplicate: fleet.events.duplicates - duplicatesBefore,
    falseLost,
    falseLostSample: falseEvents.slice(0, 10),
  };
  log(
    `zone outage: ${result.killed} cells on ${zone.length} hosts, gossip ${result.gossipDetectionMs} ms, ` +
      `last CellLost ${result.lastCellLostMs} ms, missing ${result.missing}, duplicate ${result.duplicate}, false ${falseLost}`,
  );
  return result;
}

/** Milliseconds from the kill until the server reports the host's serfHealth critical; null if never. */
async function detectCritical(fleet: Fleet, host: Host, killedAt: number): Promise<number | null> {
  const url = `${fleet.server.httpAddr}/v1/health/node/${encodeURIComponent(host.agent.options.nodeName)}`;
  let detectedAt: number | undefined;
  await until(
    async () => {
      try {
        const checks = (await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.json())) as {
          CheckID: string;
          Status: string;
        }[];
        if (checks.some((check) => check.CheckID === 'serfHealth' && check.Status === 'critical'))
          detectedAt = Date.now();
      } catch {
        // the server is busy; poll again
      }
      return detectedAt !== undefined;
    },
    LOST_TIMEOUT_MS,
    GOSSIP_POLL_MS,
  );
  return detectedAt === undefined ? null : detectedAt - killedAt;
}
