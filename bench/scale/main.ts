/**
 * `npm run bench:scale`: Baton's presence at N cells on simulated hosts (issue 10). Per N: one Consul server,
 * `--hosts` client agents each holding a bulk pool (relaxed timing) and a probe pool (CELL_DEFAULTS timing),
 * two controllers (`baton controller`, each on its own agent) and a subscriber tailing the presence log;
 * then five scenarios in order: steady, probe losses, zone outage, rolling deploy, controller failover.
 * Writes bench/results/scale-<time>.json (a `summary` per N, the method, the environment, the details) and
 * prints a side-by-side table. Options: see options.ts (each also as BENCH_SCALE_<NAME>). Run it under
 * `flock /tmp/baton-bench.lock` so benchmarks never overlap.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { locateConsul } from '../../src/dev/consul-binary.js';
import { controllerFailover } from './controller-failover.js';
import { readOptions, type ScaleOptions } from './options.js';
import { probeLosses } from './probe-losses.js';
import { ProcessRegistry } from './processes.js';
import { attempt, formatTable, valueOf, type SizeSummary } from './report.js';
import { rollingDeploy } from './rolling-deploy.js';
import { steady } from './steady.js';
import { CONTROLLER_TIMING, Fleet, HOST_NICENESS } from './topology.js';
import { zoneOutage } from './zone-outage.js';

const processes = new ProcessRegistry();
process.once('exit', () => processes.killAll());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    process.stderr.write(`[scale] ${signal}: stopping every process\n`);
    process.exit(130);
  });

const log = (line: string): void =>
  void process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const options = readOptions();
const consul = await locateConsul();
const workRoot = mkdtempSync(join(tmpdir(), 'baton-scale-'));
// After the agents are killed (their own exit hook runs first: it was registered when agent-process loaded).
process.once('exit', () => {
  if (!options.keepLogs) rmSync(workRoot, { recursive: true, force: true });
});
const startedAt = new Date();
const loadBefore = loadavg();
const sizes: { summary: SizeSummary; details: unknown }[] = [];
for (const n of options.sizes) sizes.push(await runSize(n, options));

const summary = sizes.map((size) => size.summary);
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  summary,
  options,
  method: method(options),
  environment: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
    node: process.version,
    consul: consul.version,
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: git(['status', '--porcelain', '--', 'src']) !== '',
  },
  details: sizes.map((size) => size.details),
};
mkdirSync(options.outDir, { recursive: true });
const outPath = join(
  options.outDir,
  `scale-${startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')}.json`,
);
writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(
  `${formatTable(summary)}\n\nwritten: ${outPath}${options.keepLogs ? `; logs in ${workRoot}` : ''}\n`,
);

async function runSize(n: number, opts: ScaleOptions): Promise<{ summary: SizeSummary; details: unknown }> {
  log(`N=${n}: starting`);
  const fleet = new Fleet(n, opts, processes, join(workRoot, `n${n}`), consul.path);
  const setup = await attempt(() => fleet.start(log));
  const skipped = async (): Promise<never> => Promise.reject(new Error('setup failed; scenario not run'));
  const ready = setup.ok;
  const steadyOutcome = await attempt(() => (ready ? steady(fleet, log) : skipped()));
  const probeOutcome = await attempt(() => (ready ? probeLosses(fleet, log) : skipped()));
  const zoneOutcome = await attempt(() => (ready ? zoneOutage(fleet, log) : skipped()));
  const zoneVictims = new Set(
    fleet.hosts.filter((host) => !host.alive).flatMap((host) => host.pools.flatMap((pool) => [...pool.ids])),
  );
  const deployOutcome = await attempt(() => (ready ? rollingDeploy(fleet, log, zoneVictims) : skipped()));
  const failoverOutcome = await attempt(() => (ready ? controllerFailover(fleet, log) : skipped()));
  const poolMemory = await attempt(() => fleet.poolMemory());
  await fleet.stop();
  fleet.dumpRecords();

  const s = valueOf(steadyOutcome);
  const p = valueOf(probeOutcome);
  const z = valueOf(zoneOutcome);
  const d = valueOf(deployOutcome);
  const f = valueOf(failoverOutcome);
  const summary: SizeSummary = {
    n,
    probeCellLost: { medianMs: p?.cellLost.medianMs ?? null, p99Ms: p?.cellLost.p99Ms ?? null },
    zoneOutage: {
      killed: z?.killed ?? null,
      gossipDetectionMs: z?.gossipDetectionMs ?? null,
      lastCellLostMs: z?.lastCellLostMs ?? null,
      missing: z?.missing ?? null,
      duplicate: z?.duplicate ?? null,
      falseLost: z?.falseLost ?? null,
    },
    rollingDeploy: {
      lagP99Ms: d?.lagP99Ms ?? null,
      watcherCpuCores: d?.watcherCpuCores ?? null,
      falseLost: d?.falseLost ?? null,
    },
    controllerFailover: { readyMs: f?.readyMs ?? null, lostEvents: f?.lostEvents ?? null },
    watcher: {
      rssMb: s?.watcherRssMb ?? null,
      cpuCoresSteady: s?.watcherCpuCores ?? null,
      requestsPerSec: s?.requestsPerSec ?? null,
    },
  };
  const split = fleet.split();
  const details = {
    n,
    topology: {
      hosts: opts.hosts,
      bulkCells: split.reduce((sum, host) => sum + host.bulk.length, 0),
      probeCells: split.reduce((sum, host) => sum + host.probe.length, 0),
      registrationMs: fleet.registeredMs,
    },
    setup: setup.ok ? 'ok' : setup.error,
    steady: steadyOutcome,
    probeLosses: probeOutcome,
    zoneOutage: zoneOutcome,
    rollingDeploy: deployOutcome,
    controllerFailover: failoverOutcome,
    poolMemoryAtEnd: poolMemory,
    controllers: { activeAtStart: fleet.activeAtStart, warnings: fleet.controllerWarnings() },
    subscriber: {
      events: fleet.events.all.length,
      duplicates: fleet.events.duplicates,
      gaps: fleet.events.gaps,
    },
    errors: fleet.errors.slice(0, 50),
    errorCount: fleet.errors.length,
  };
  log(`N=${n}: done (${fleet.errors.length} errors)`);
  return { summary, details };
}

function method(opts: ScaleOptions): Record<string, string> {
  return {
    hosts:
      `Each of the ${opts.hosts} Consul client agents on loopback stands for one host; every cell's session and TTL ` +
      'check live on its own host agent, so killing an agent is a VM loss (gossip only). Two more client agents carry ' +
      'the two controllers, so a zone outage never takes a controller. One Consul server (bootstrap_expect 1).',
    gossip:
      "Consul's own production timing on every agent (ConsulAgentProcess timing 'consul-defaults': no gossip_lan or " +
      'performance settings, so LAN gossip probe_interval 1 s, probe_timeout 500 ms, suspicion_mult 4 and ' +
      'raft_multiplier 5, per developer.hashicorp.com/consul/docs/reference/agent/configuration-file/gossip and ' +
      'DefaultRaftMultiplier in hashicorp/consul agent/consul/config.go). ' +
      'limits { http_max_conns_per_client = 10000 } because all clients share one loopback IP (on real hosts they do not).',
    cells:
      `Per host a bulk pool (one process, Cells from the public API, heartbeat ${opts.bulkHeartbeatMs} ms, TTL ${opts.bulkTtlMs} ms, ` +
      'each with its default per-cell confirmation; its session TTL is three heartbeats, as Lease derives it) and a ' +
      'probe pool (about ' +
      `${opts.probeFraction * 100} % of N over the hosts, at least one per host, at CELL_DEFAULTS: heartbeat ` +
      `${opts.probeHeartbeatMs} ms, TTL ${opts.probeTtlMs} ms). Bulk cells stand for real cells whose heartbeats cost ` +
      'this machine nothing on real hosts; probes at default timing are the ones whose losses are timed. The watcher ' +
      'and the controller face the full N presence keys and the full event volume either way.',
    controllers:
      opts.controllerTiming === 'relaxed'
        ? `Two \`baton controller\` replicas with ${CONTROLLER_TIMING.join(' ')} (the default worker timing loses ` +
          'confidence after 400 ms without a confirmation, which this shared machine exceeds under 10,000 cells).'
        : "Two `baton controller` replicas at Baton's default timing (--controller-timing default).",
    watcher:
      'The active controller (`baton controller`, built CLI) runs the presence watcher in its process: "watcher" ' +
      'figures are that process (process_cpu_seconds_total, process_resident_memory_bytes, and the sum of ' +
      'baton_consul_requests_total / baton_consul_response_bytes_total from its /metrics), so they include the ' +
      "controller's own reconcile loops. Server CPU: utime+stime of the Consul server from /proc over the steady window.",
    subscriber:
      'One process tails the durable presence log with the public EventLog.subscribe from seq 0 on the server agent ' +
      '(it survives a controller failover), recording seq, type, subject, incarnation and its receive time.',
    steady:
      `After every CellRegistered arrived, a ${opts.steadyMs} ms window; then 20 probe cells depart and re-register: ` +
      "bytes per presence change = the controller's response bytes over that churn window / presence events in it " +
      '(null when the metric is absent).',
    probeLosses: 'SIGKILL of every probe pool; latency = subscriber receive time of CellLost - kill time.',
    zoneOutage:
      'SIGKILL at once of the agents of ceil(10 % of hosts) hosts and their pools; gossip detection = kill -> the server ' +
      "reports the node's serfHealth critical (polled every 100 ms); missing = killed incarnations without CellLost in 120 s; " +
      'duplicate = (type, subject, incarnation) or seq delivered twice during the scenario; falseLost = CellLost of a cell ' +
      'on a surviving host.',
    rollingDeploy:
      `Every surviving cell stop()s cleanly and a new Cell registers the same id, paced so the fleet moves at ${opts.deployRate} ` +
      "cells/s, each pool its share. Lag = subscriber receive time - committedAt (registered: the Cell's registered event, " +
      'right after the claim committed; departed: when stop() resolved, which is after the departure commit and the session ' +
      "close, so departures' lag is understated by the close; lagFromStopCall gives the upper bound from the stop() call). " +
      'Watcher cores = controller CPU over the deploy. falseLost = any CellLost of a cell not in the zone outage.',
    controllerFailover:
      'One bulk pool re-registers 2 cells/s (4 changes/s); SIGKILL of the active controller; readyMs = kill -> the ' +
      "standby's /readyz answers 200 with state leading (a standby answers 200 as waiting, so the state is required), polled " +
      'every 50 ms; lostEvents = changes committed in [kill - 5 s, ready + 5 s] whose event did not reach the subscriber 30 s later.',
    bounds:
      'Everything shares one machine (see environment.cpus): Consul agents, pools, controllers and the subscriber compete ' +
      'for the same cores, so latencies include CPU contention that separate hosts would not have. The simulated hosts ' +
      `(their client agents and bulk pools) run at niceness ${HOST_NICENESS}: on real hosts their work would not take the ` +
      "controllers' or the server's CPU; the probe pools, the controllers, the server and the subscriber run at normal priority.",
  };
}

function git(args: readonly string[]): string | null {
  try {
    return execFileSync('git', [...args], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}
