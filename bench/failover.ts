/**
 * `npm run bench:failover`: how fast a waiting candidate takes over a singleton, for Baton, Consul's own
 * `consul lock`, and the seed's naive session lock, side by side on one Consul dev agent.
 *
 * For each peer and scenario, N trials. A trial starts three candidates on a lock of its own; the first to
 * hold it runs bench/peers/worker.sh, the others wait. The bench then SIGTERMs (clean) or SIGKILLs
 * (hard-kill) the holder's process and takes the time from that signal to the successor's command start, as
 * stamped by the command itself. It also checks that exactly one successor starts and that no command
 * starts while another of the trial is still alive (worker.sh detects that with a kernel flock).
 * Baton is first compiled from src/ into a private folder, so a rebuild of dist/ cannot disturb a run.
 *
 * Options: --trials N (env BENCH_TRIALS, default 20), --concurrency K (env BENCH_CONCURRENCY, default 10:
 * how many of the slow peers' hard-kill trials run at once, each on its own lock; everything else runs one
 * trial at a time), --peers a,b, --scenarios a,b, --keep-logs, --out DIR.
 */
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BATON_BUILD, buildBaton, gitFacts, oneOf, positiveInt, REPO_ROOT } from './failover-build.js';
import { parseArgs } from 'node:util';
import { ConsulAgentProcess } from '../src/dev/agent-process.js';
import { locateConsul } from '../src/dev/consul-binary.js';
import { abortableSleep } from '../src/time/clock.js';
import { makePeer, PEER_NAMES, type Peer, type PeerName } from './failover-peers.js';
import { ProcessRegistry } from './failover-processes.js';
import {
  duration,
  formatBreakdown,
  formatTable,
  stageBreakdown,
  summarize,
  withRatios,
  type CaseResult,
} from './failover-report.js';
import { runTrial, SCENARIOS, type Scenario, type TrialResult } from './failover-trial.js';

/** The bar for Baton with default settings (p99). */
const BATON_TARGETS_MS: Readonly<Record<Scenario, number>> = { clean: 250, 'hard-kill': 3_000 };
/** Concurrent lanes start this far apart, so candidates do not all boot (and get killed) at once. */
const LANE_STAGGER_MS = 500;

interface Options {
  readonly trials: number;
  readonly concurrency: number;
  readonly peers: readonly PeerName[];
  readonly scenarios: readonly Scenario[];
  readonly keepLogs: boolean;
  readonly outDir: string;
}

const processes = new ProcessRegistry();
process.once('exit', () => processes.killAll());
process.exitCode = await main();

async function main(): Promise<number> {
  const options = readOptions();
  const build = options.peers.includes('baton') ? buildBaton() : { errors: false };
  if (options.peers.includes('baton') && !existsSync(join(BATON_BUILD, 'cli/main.js'))) {
    console.error(`the build of Baton into ${BATON_BUILD} produced no cli/main.js`);
    return 1;
  }
  const consul = await locateConsul({ log: (line) => console.error(line) });
  const workDir = mkdtempSync(join(tmpdir(), 'baton-bench-failover-'));
  const agent = await ConsulAgentProcess.start({
    binary: consul.path,
    nodeName: 'bench-failover',
    mode: 'dev',
    workDir: join(workDir, 'agent'),
  });
  let keepWorkDir = options.keepLogs;
  const shutdown = async (): Promise<void> => {
    processes.killAll();
    await agent.dispose(true);
    if (!keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every candidate and the Consul agent`);
      void shutdown().finally(() => process.exit(130));
    });
  }
  try {
    await agent.waitReady();
    const startedAt = new Date();
    const loadAtStart = loadavg();
    console.error(`Consul ${consul.version} dev agent at ${agent.httpAddr}; logs under ${workDir}`);
    const env = {
      repoRoot: REPO_ROOT,
      batonCli: join(BATON_BUILD, 'cli/main.js'),
      consulBinary: consul.path,
      consulAddr: agent.httpAddr,
    };
    const runTag = Date.now().toString(36);
    const cases: CaseResult[] = [];
    for (const peerName of options.peers) {
      const peer = makePeer(peerName, env);
      for (const scenario of options.scenarios) {
        const concurrency = scenario === 'hard-kill' && peer.slowFailover ? options.concurrency : 1;
        const began = Date.now();
        const trials = await runLanes(options.trials, concurrency, async (index) => {
          const lockName = `fo-${runTag}-${peer.name}-${scenario}-t${String(index).padStart(3, '0')}`;
          const result = await runTrial({
            peer,
            scenario,
            index,
            lockName,
            dir: join(workDir, lockName),
            consul: agent.client(),
            consulAddr: agent.httpAddr,
            workerScript: join(REPO_ROOT, 'bench/peers/worker.sh'),
            repoRoot: REPO_ROOT,
            processes,
          });
          console.error(progressLine(peer, scenario, options.trials, result));
          return result;
        });
        const summary = summarize(trials);
        if (summary.errors > 0) keepWorkDir = true;
        const stages = stageBreakdown(trials);
        cases.push({
          peer: peer.name,
          scenario,
          concurrency,
          wallClockMs: Date.now() - began,
          summary,
          ...(stages === undefined ? {} : { stages }),
          trials,
        });
      }
    }
    const results = withRatios(cases);
    console.log(`\n${formatTable(results)}\n`);
    for (const line of batonVerdicts(results)) console.log(line);
    for (const line of results.flatMap(formatBreakdown)) console.log(line);
    const file = writeResults(options, results, {
      startedAt,
      consulVersion: consul.version,
      agentAddr: agent.httpAddr,
      batonBuildHadErrors: build.errors,
      loadAverage: { start: loadAtStart, end: loadavg() },
      peers: options.peers.map((name) => makePeer(name, env)),
    });
    console.log(`\nresults: ${relative(process.cwd(), file)}`);
    if (keepWorkDir) console.log(`trial logs kept under ${workDir}`);
    return 0;
  } finally {
    await shutdown();
  }
}

/** Run `count` trials with at most `concurrency` at once, in index order per lane. */
async function runLanes(
  count: number,
  concurrency: number,
  run: (index: number) => Promise<TrialResult>,
): Promise<TrialResult[]> {
  const results: TrialResult[] = [];
  let next = 0;
  const lane = async (lane: number): Promise<void> => {
    await abortableSleep(lane * LANE_STAGGER_MS);
    for (let index = next++; index < count; index = next++) results[index] = await run(index);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, (_, i) => lane(i)));
  return results;
}

function progressLine(peer: Peer, scenario: Scenario, total: number, result: TrialResult): string {
  const where = `[${peer.name} ${scenario} ${result.index + 1}/${total}]`;
  if (result.error !== undefined) return `${where} error: ${result.error}`;
  const notes = [`successors=${result.successors ?? '?'}`, `overlaps=${result.overlaps ?? '?'}`];
  if (result.holderCommandSurvived === true) notes.push("old holder's command still running");
  return `${where} ${duration(result.latencyMs)} (${notes.join(', ')})`;
}

function batonVerdicts(results: readonly CaseResult[]): string[] {
  return results
    .filter((result) => result.peer === 'baton')
    .map(({ scenario, summary }) => {
      const target = BATON_TARGETS_MS[scenario];
      const met = summary.p99Ms !== undefined && summary.p99Ms <= target && summary.errors === 0;
      const safe = summary.trialsWithOverlap === 0 && summary.successorViolations === 0;
      return (
        `Baton ${scenario}: p99 ${duration(summary.p99Ms)} vs target ${duration(target)}: ` +
        `${met ? 'met' : 'MISSED'}; overlaps ${summary.trialsWithOverlap}, ` +
        `successor count ≠ 1 in ${summary.successorViolations} trials: ${safe ? 'safe' : 'UNSAFE'}`
      );
    });
}

interface RunFacts {
  readonly startedAt: Date;
  readonly consulVersion: string;
  readonly agentAddr: string;
  readonly batonBuildHadErrors: boolean;
  /** 1/5/15-minute load averages: other work on the machine shows up in the tails. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly peers: readonly Peer[];
}

function writeResults(options: Options, results: readonly CaseResult[], facts: RunFacts): string {
  mkdirSync(options.outDir, { recursive: true });
  const stamp = facts.startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const file = join(options.outDir, `failover-${stamp}.json`);
  const document = {
    benchmark: 'failover',
    startedAt: facts.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { trials: options.trials, concurrency: options.concurrency, scenarios: options.scenarios },
    method: {
      latency: "holder signalled (bench wall clock) → successor's command start (its own `date +%s%N`)",
      candidates: 'three per trial: one holder, two waiting; each trial has its own lock',
      killPhase: "a uniformly random wait within the holder's renew/heartbeat period before each signal",
      overlap: 'a command started while another command of the same trial was alive (flock in worker.sh)',
      p99: 'nearest rank (with 20 trials: the slowest)',
    },
    environment: {
      node: process.version,
      platform: `${platform()} ${release()}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage: facts.loadAverage,
      git: gitFacts(),
      batonBuild: { from: 'src/ via tsconfig.build.json', typeErrors: facts.batonBuildHadErrors },
      consul: {
        version: facts.consulVersion,
        agent: 'one -dev server (src/dev/agent-process.ts)',
        addr: facts.agentAddr,
        hcl: ['session_ttl_min = "1s"', 'check_update_interval = "0s"'],
      },
    },
    peers: Object.fromEntries(facts.peers.map((peer) => [peer.name, peer.settings])),
    batonTargetsMs: { cleanP99: BATON_TARGETS_MS.clean, hardKillP99: BATON_TARGETS_MS['hard-kill'] },
    cases: results,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string' },
      concurrency: { type: 'string' },
      peers: { type: 'string' },
      scenarios: { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  return {
    trials: positiveInt('--trials', values.trials ?? process.env['BENCH_TRIALS'] ?? '20'),
    concurrency: positiveInt('--concurrency', values.concurrency ?? process.env['BENCH_CONCURRENCY'] ?? '10'),
    peers: oneOf('--peers', values.peers, PEER_NAMES),
    scenarios: oneOf('--scenarios', values.scenarios, SCENARIOS),
    keepLogs: values['keep-logs'],
    outDir: resolve(values.out ?? join(REPO_ROOT, 'bench/results')),
  };
}
