import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsulClient } from '../src/consul/client.js';
import { HANDOVER_TRACE_ENV } from '../src/process/handover-trace.js';
import { abortableSleep } from '../src/time/clock.js';
import type { Peer } from './failover-peers.js';
import { isAlive, type ProcessRegistry, type Started } from './failover-processes.js';

export type Scenario = 'clean' | 'hard-kill';
export const SCENARIOS: readonly Scenario[] = ['clean', 'hard-kill'];

/** The holder plus two waiting candidates, so "exactly one successor" means something. */
const CANDIDATES = ['c1', 'c2', 'c3'] as const;
/** After all candidates have sessions, let the waiters' blocking reads reach the server. */
const SETTLE_BEFORE_KILL_MS = 300;
/** After the first successor starts, how long to watch for a second one. */
const WATCH_AFTER_SUCCESSOR_MS = 1_000;
const READY_TIMEOUT_MS = 90_000;
const SUCCESSOR_TIMEOUT_MS: Readonly<Record<Scenario, number>> = { clean: 30_000, 'hard-kill': 150_000 };
const POLL_MS = 10;

export interface TrialPlan {
  readonly peer: Peer;
  readonly scenario: Scenario;
  readonly index: number;
  /** Unique per trial, so concurrent trials never share a lock. */
  readonly lockName: string;
  readonly dir: string;
  readonly consul: ConsulClient;
  readonly consulAddr: string;
  readonly workerScript: string;
  readonly repoRoot: string;
  readonly processes: ProcessRegistry;
}

export interface TrialResult {
  readonly index: number;
  readonly lockName: string;
  readonly holder?: string;
  /** Random wait before the signal, within the holder's heartbeat period (see Peer.heartbeatPeriodMs). */
  readonly phaseDelayMs?: number;
  /** Holder signalled (wall clock, ms) → successor's command started (its own timestamp). */
  readonly latencyMs?: number;
  /** Commands started after the holder's, within the watch window. Must be exactly 1. */
  readonly successors?: number;
  /** Command starts that found another command of the trial still alive (kernel flock, see worker.sh). */
  readonly overlaps?: number;
  /** The holder's command was still running when the successor's start was seen (orphaned by its runner). */
  readonly holderCommandSurvived?: boolean;
  /**
   * Peers that trace their handover (Baton, `BATON_HANDOVER_TRACE`): ms from the signal to each stage, the
   * holder's stages from the holder's process, the successor's from the successor's.
   */
  readonly stagesMs?: Readonly<Record<string, number>>;
  readonly error?: string;
}

export interface Marker {
  readonly atMs: number;
  readonly who: string;
  readonly pid: number;
  readonly overlap: boolean;
}

/** Start three candidates, signal the holder, and time the successor's command start. */
export async function runTrial(plan: TrialPlan): Promise<TrialResult> {
  const { peer, scenario, lockName, dir, processes } = plan;
  mkdirSync(dir, { recursive: true });
  const markersPath = join(dir, 'markers');
  writeFileSync(markersPath, '');
  const worker = (who: string): string[] => [
    '/bin/sh',
    plan.workerScript,
    who,
    markersPath,
    join(dir, 'alive'),
  ];
  const tracePath = join(dir, 'handover-trace');
  const env = { ...peerEnv(plan.consulAddr), ...(peer.traces ? { [HANDOVER_TRACE_ENV]: tracePath } : {}) };
  const candidates = new Map<string, Started>();
  const base = { index: plan.index, lockName };
  try {
    for (const who of CANDIDATES) {
      const { file, args } = peer.candidate(lockName, who, worker(who));
      const logPath = join(dir, `${who}.log`);
      candidates.set(who, processes.spawn(file, args, { env, cwd: plan.repoRoot, logPath }));
    }
    const tag = peer.sessionTag(lockName);
    const ready = await waitFor(READY_TIMEOUT_MS, 100, async () => {
      for (const [who, candidate] of candidates) {
        if (!candidate.running()) throw new Error(`candidate ${who} exited early; see ${dir}/${who}.log`);
      }
      const markers = readMarkers(markersPath);
      if (markers.length === 0) return undefined;
      const sessions = await plan.consul.session.list();
      return sessions.filter((s) => s.name.includes(tag)).length >= CANDIDATES.length ? markers : undefined;
    });
    if (ready === undefined) return { ...base, error: 'candidates not up and waiting in time' };
    const phaseDelayMs = Math.round(Math.random() * peer.heartbeatPeriodMs);
    await abortableSleep(SETTLE_BEFORE_KILL_MS + phaseDelayMs);

    const before = readMarkers(markersPath);
    const first = before[0];
    if (first === undefined) throw new Error('unreachable: no holder marker');
    for (const marker of before) processes.adoptWorker(marker.pid);
    const started = { ...base, holder: first.who, phaseDelayMs };
    if (before.length > 1) return { ...started, error: 'two commands started before the kill' };
    const holder = candidates.get(first.who);
    if (holder === undefined) return { ...started, error: 'unknown holder' };

    const signalledAt = Date.now();
    process.kill(holder.pid, scenario === 'clean' ? 'SIGTERM' : 'SIGKILL');
    const seen = await waitFor(SUCCESSOR_TIMEOUT_MS[scenario], POLL_MS, () => {
      const markers = readMarkers(markersPath);
      return Promise.resolve(markers.length > 1 ? markers : undefined);
    });
    const successor = seen?.[1];
    if (successor === undefined) return { ...started, error: 'no successor in time' };
    const holderCommandSurvived = isAlive(first.pid);

    await abortableSleep(WATCH_AFTER_SUCCESSOR_MS);
    const all = readMarkers(markersPath);
    for (const marker of all) processes.adoptWorker(marker.pid);
    const next = candidates.get(successor.who);
    const stagesMs =
      peer.traces && next !== undefined
        ? readStages(tracePath, signalledAt, holder.pid, next.pid)
        : undefined;
    return {
      ...started,
      ...(stagesMs === undefined ? {} : { stagesMs }),
      latencyMs: round(successor.atMs - signalledAt),
      successors: all.length - 1,
      overlaps: all.filter((marker) => marker.overlap).length,
      holderCommandSurvived,
    };
  } catch (error: unknown) {
    return { ...base, error: error instanceof Error ? error.message : String(error) };
  } finally {
    for (const candidate of candidates.values()) processes.killGroup(candidate.pid);
    await Promise.all([...candidates.values()].map((candidate) => candidate.exited));
    for (const marker of readMarkers(markersPath)) await processes.killWorker(marker.pid);
  }
}

/**
 * Every peer talks to the benchmark's agent only: Consul's variables that could point elsewhere (token,
 * TLS, gRPC address) are dropped and CONSUL_HTTP_ADDR is set to the agent.
 */
export function peerEnv(consulAddr: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CONSUL_')) env[name] = value;
  return { ...env, CONSUL_HTTP_ADDR: consulAddr, BATON_LOG_LEVEL: 'info' };
}

/** Lines of worker.sh: "<unix ns> started <who> <pid> <exclusive|overlap>". */
export function readMarkers(path: string): Marker[] {
  const markers: Marker[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^(\d+) started (\S+) (\d+) (exclusive|overlap)$/.exec(line);
    if (match === null) continue;
    const [, ns = '0', who = '', pid = '0', mode] = match;
    markers.push({
      atMs: Number(BigInt(ns) / 1000n) / 1000,
      who,
      pid: Number(pid),
      overlap: mode === 'overlap',
    });
  }
  return markers.sort((a, b) => a.atMs - b.atMs);
}

/**
 * The handover trace (`<unix ns> <pid> <stage>` lines, src/process/handover-trace.ts): for each stage, ms
 * from the signal to its first line at or after the signal, from the holder's or the successor's process.
 */
function readStages(
  path: string,
  signalledAtMs: number,
  holderPid: number,
  successorPid: number,
): Record<string, number> {
  const stages: Record<string, number> = {};
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return stages;
  }
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\d+) (\S+)$/.exec(line);
    if (match === null) continue;
    const [, ns = '0', pid = '0', stage = ''] = match;
    if (Number(pid) !== holderPid && Number(pid) !== successorPid) continue;
    const key = Number(pid) === holderPid ? `holder:${stage}` : `successor:${stage}`;
    const atMs = Number(BigInt(ns) / 1000n) / 1000 - signalledAtMs;
    if (atMs >= 0 && stages[key] === undefined) stages[key] = round(atMs);
  }
  return stages;
}

async function waitFor<T>(
  timeoutMs: number,
  pollMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await abortableSleep(pollMs);
  }
  return undefined;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
