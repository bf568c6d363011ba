/**
 * `npm run bench:failover:cluster`: Baton's failover in a 3-server Consul cluster, at two timings side by
 * side in one run: `tuned` (the tests' cluster: raft_multiplier 1, fast LAN gossip) and `consul-defaults`
 * (no tuning at all: Consul's production raft_multiplier 5 and LAN gossip, probe 1 s, suspicion_mult 4).
 * Each topology has three client agents, one per candidate (the "hosts").
 *
 * Scenarios, N trials each:
 * - `hard-kill`: SIGKILL of the holder's `baton run` (its agent lives on): the check TTL path, as
 *   `bench:failover` measures on a dev agent; all candidates use the first host's agent.
 * - `vm-loss`: SIGKILL of the holder's `baton run` **and its host agent**: only gossip tells the servers.
 * - `cell-vm-loss`: SIGKILL of a `baton cell` and its host agent; CellLost as a presence watcher delivers it.
 *
 * Options: --trials N (default 10), --topologies tuned,consul-defaults, --scenarios a,b, --out DIR,
 * --keep-logs. Run it through `flock /tmp/baton-bench.lock` on a shared machine.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConsulAgentProcess } from '../src/dev/agent-process.js';
import { locateConsul } from '../src/dev/consul-binary.js';
import { freePort } from '../src/dev/ports.js';
import { BATON_BUILD, buildBaton, gitFacts, oneOf, positiveInt, REPO_ROOT } from './failover-build.js';
import { makePeer } from './failover-peers.js';
import { ProcessRegistry } from './failover-processes.js';
import { duration, summarize } from './failover-report.js';
import { runTrial } from './failover-trial.js';
import { cellVmLossTrial, singletonVmLossTrial, type VmLossResult } from './failover-vm-loss.js';

type Topology = 'tuned' | 'consul-defaults';
const TOPOLOGIES: readonly Topology[] = ['tuned', 'consul-defaults'];
type ClusterScenario = 'hard-kill' | 'vm-loss' | 'cell-vm-loss';
const CLUSTER_SCENARIOS: readonly ClusterScenario[] = ['hard-kill', 'vm-loss', 'cell-vm-loss'];
const HOSTS = 3;

interface Figures {
  readonly n: number;
  readonly errors: number;
  readonly medianMs?: number;
  readonly p99Ms?: number;
  readonly maxMs?: number;
  readonly gossipDetectionMedianMs?: number;
  readonly gossipDetectionP99Ms?: number;
  readonly overlaps: number;
  readonly successorViolations: number;
}

interface ClusterCase {
  readonly topology: Topology;
  readonly scenario: ClusterScenario;
  readonly figures: Figures;
  readonly trials: readonly unknown[];
}

const processes = new ProcessRegistry();
process.once('exit', () => processes.killAll());
process.exitCode = await main();

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string' },
      topologies: { type: 'string' },
      scenarios: { type: 'string' },
      out: { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
    },
  });
  const trials = positiveInt('--trials', values.trials ?? '10');
  const topologies = oneOf('--topologies', values.topologies, TOPOLOGIES);
  const scenarios = oneOf('--scenarios', values.scenarios, CLUSTER_SCENARIOS);
  const outDir = resolve(values.out ?? join(REPO_ROOT, 'bench/results'));
  const build = buildBaton();
  const batonCli = join(BATON_BUILD, 'cli/main.js');
  if (!existsSync(batonCli)) return 1;
  const consul = await locateConsul({ log: (line) => console.error(line) });
  const workDir = mkdtempSync(join(tmpdir(), 'baton-bench-cluster-'));
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const cases: ClusterCase[] = [];
  for (const topology of topologies) {
    const agents = await startCluster(consul.path, topology, join(workDir, topology));
    try {
      const [server] = agents.servers;
      const [firstHost] = agents.hosts;
      if (server === undefined || firstHost === undefined) throw new Error('no agents');
      for (const scenario of scenarios) {
        const results: (VmLossResult | Awaited<ReturnType<typeof runTrial>>)[] = [];
        for (let index = 0; index < trials; index += 1) {
          const dir = join(workDir, topology, scenario);
          const vmPlan = {
            index,
            dir,
            batonCli,
            repoRoot: REPO_ROOT,
            workerScript: join(REPO_ROOT, 'bench/peers/worker.sh'),
            hosts: agents.hosts,
            server,
            processes,
          };
          const result =
            scenario === 'hard-kill'
              ? await runTrial({
                  peer: makePeer('baton', {
                    repoRoot: REPO_ROOT,
                    batonCli,
                    consulBinary: consul.path,
                    consulAddr: firstHost.httpAddr,
                  }),
                  scenario: 'hard-kill',
                  index,
                  lockName: `hk-${Date.now().toString(36)}-t${index}`,
                  dir: join(dir, `t${index}`),
                  consul: server.client(),
                  consulAddr: firstHost.httpAddr,
                  workerScript: vmPlan.workerScript,
                  repoRoot: REPO_ROOT,
                  processes,
                })
              : scenario === 'vm-loss'
                ? await singletonVmLossTrial(vmPlan)
                : await cellVmLossTrial(vmPlan);
          results.push(result);
          console.error(`[${topology} ${scenario} ${index + 1}/${trials}] ${describe(result)}`);
        }
        cases.push({ topology, scenario, figures: figuresOf(results), trials: results });
      }
    } finally {
      processes.killAll();
      await Promise.all(
        [...agents.hosts, ...agents.servers].map((agent) => agent.dispose(values['keep-logs'])),
      );
    }
  }
  for (const line of table(cases)) console.log(line);
  mkdirSync(outDir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const file = join(outDir, `failover-cluster-${stamp}.json`);
  const document = {
    benchmark: 'failover-cluster',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { trials, topologies, scenarios },
    method: {
      cluster: `3 servers + ${HOSTS} client agents ("hosts") on loopback, src/dev/agent-process.ts`,
      topologies: {
        tuned:
          'gossip_lan probe_interval/probe_timeout/gossip_interval 100ms, suspicion_mult 3; raft_multiplier 1',
        'consul-defaults':
          "no gossip or raft settings: Consul's own (probe 1s, timeout 500ms, suspicion_mult 4; raft_multiplier 5)",
      },
      'hard-kill': "SIGKILL of the holder's baton run; all candidates on the first host's agent",
      'vm-loss':
        "SIGKILL of the holder's baton run and its host agent; one host per candidate; killed agent restarted after",
      'cell-vm-loss':
        'SIGKILL of a baton cell and its host agent; CellLost as a PresenceWatcher on a server delivers it',
      gossipDetection: "kill → the host's serfHealth critical on a server (polled every 50 ms)",
      p99: 'nearest rank (with 10 trials: the slowest)',
    },
    environment: {
      node: process.version,
      cpus: cpus().length,
      loadAverage: { start: loadAtStart, end: loadavg() },
      git: gitFacts(),
      consul: consul.version,
      batonBuildHadErrors: build.errors,
    },
    cases,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nresults: ${relative(process.cwd(), file)}`);
  rmSync(workDir, { recursive: true, force: values['keep-logs'] ? false : true });
  return 0;
}

async function startCluster(
  binary: string,
  timing: Topology,
  dir: string,
): Promise<{ servers: ConsulAgentProcess[]; hosts: ConsulAgentProcess[] }> {
  const serfPorts = await Promise.all([1, 2, 3].map(() => freePort()));
  const joins = serfPorts.map((port) => `127.0.0.1:${port}`);
  const tag = Date.now().toString(36);
  const servers: ConsulAgentProcess[] = [];
  for (const [i, serfLan] of serfPorts.entries()) {
    servers.push(
      await ConsulAgentProcess.start({
        binary,
        nodeName: `s${i + 1}-${tag}`,
        mode: 'server',
        bootstrapExpect: 3,
        join: joins.filter((_, j) => j !== i),
        workDir: join(dir, `s${i + 1}`),
        ports: { http: await freePort(), serfLan, serfWan: await freePort(), server: await freePort() },
        timing,
      }),
    );
  }
  const hosts: ConsulAgentProcess[] = [];
  for (let i = 0; i < HOSTS; i += 1) {
    hosts.push(
      await ConsulAgentProcess.start({
        binary,
        nodeName: `h${i + 1}-${tag}`,
        mode: 'client',
        join: joins,
        workDir: join(dir, `h${i + 1}`),
        timing,
      }),
    );
  }
  await Promise.all([...servers, ...hosts].map((agent) => agent.waitReady({ timeoutMs: 120_000 })));
  return { servers, hosts };
}

function figuresOf(results: readonly (VmLossResult | Awaited<ReturnType<typeof runTrial>>)[]): Figures {
  const summary = summarize(
    results.map((result) => ({
      index: result.index,
      lockName: '',
      ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
      ...(result.successors === undefined ? {} : { successors: result.successors }),
      ...(result.overlaps === undefined ? {} : { overlaps: result.overlaps }),
      ...(result.error === undefined ? {} : { error: result.error }),
    })),
  );
  const detections = results
    .map((result) => ('gossipDetectionMs' in result ? result.gossipDetectionMs : undefined))
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const gossip = summarize(detections.map((latencyMs, index) => ({ index, lockName: '', latencyMs })));
  return {
    n: summary.measured,
    errors: summary.errors,
    ...(summary.medianMs === undefined ? {} : { medianMs: summary.medianMs }),
    ...(summary.p99Ms === undefined ? {} : { p99Ms: summary.p99Ms }),
    ...(summary.maxMs === undefined ? {} : { maxMs: summary.maxMs }),
    ...(gossip.medianMs === undefined ? {} : { gossipDetectionMedianMs: gossip.medianMs }),
    ...(gossip.p99Ms === undefined ? {} : { gossipDetectionP99Ms: gossip.p99Ms }),
    overlaps: summary.trialsWithOverlap,
    // Cells have no successor: count only the trials that report one.
    successorViolations: results.filter((r) => r.successors !== undefined && r.successors !== 1).length,
  };
}

function describe(result: VmLossResult | Awaited<ReturnType<typeof runTrial>>): string {
  if (result.error !== undefined) return `error: ${result.error}`;
  const gossip = 'gossipDetectionMs' in result ? `, gossip ${duration(result.gossipDetectionMs)}` : '';
  return `${duration(result.latencyMs)}${gossip} (successors=${result.successors ?? '–'}, overlaps=${result.overlaps ?? '–'})`;
}

function table(cases: readonly ClusterCase[]): string[] {
  const lines = [
    '| topology | scenario | n | median | p99 | gossip detection median / p99 | overlaps | successors ≠ 1 | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { topology, scenario, figures: f } of cases) {
    const gossip =
      f.gossipDetectionMedianMs === undefined
        ? '–'
        : `${duration(f.gossipDetectionMedianMs)} / ${duration(f.gossipDetectionP99Ms)}`;
    lines.push(
      `| ${topology} | ${scenario} | ${f.n} | ${duration(f.medianMs)} | ${duration(f.p99Ms)} | ${gossip} | ` +
        `${f.overlaps} | ${f.successorViolations} | ${f.errors} |`,
    );
  }
  return lines;
}
