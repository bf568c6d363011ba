import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsulAgentProcess } from '../src/dev/agent-process.js';
import { KvLayout } from '../src/layout/kv-layout.js';
import { PresenceWatcher } from '../src/presence/presence-watcher.js';
import { abortableSleep } from '../src/time/clock.js';
import type { ProcessRegistry, Started } from './failover-processes.js';
import { peerEnv, readMarkers } from './failover-trial.js';

/**
 * VM loss in a cluster: the holder's (or the cell's) *client agent* dies with its process, so only gossip
 * tells the servers (`serfHealth` goes critical, consul-facts §2.4). Each candidate has an agent of its own.
 */
export interface VmLossPlan {
  readonly index: number;
  readonly dir: string;
  readonly batonCli: string;
  readonly repoRoot: string;
  readonly workerScript: string;
  /** One client agent per candidate (the "hosts"); the one of the holder is killed and restarted. */
  readonly hosts: readonly ConsulAgentProcess[];
  /** A server to watch from. */
  readonly server: ConsulAgentProcess;
  readonly processes: ProcessRegistry;
}

export interface VmLossResult {
  readonly index: number;
  /** Kill → the servers mark the host's serfHealth critical (polled every 50 ms on a server). */
  readonly gossipDetectionMs?: number | undefined;
  /** Kill → the successor's command started (singleton), or CellLost delivered by a watcher (cell). */
  readonly latencyMs?: number;
  readonly successors?: number;
  readonly overlaps?: number;
  readonly error?: string;
}

const READY_TIMEOUT_MS = 60_000;
const OUTCOME_TIMEOUT_MS = 120_000;
const POLL_MS = 50;
/** The gossip probe interval at Consul's defaults: kills land at a random phase of it. */
const PROBE_PHASE_MS = 1_000;

/** SIGKILL the holder's agent and `baton run`; time the successor's command start. */
export async function singletonVmLossTrial(plan: VmLossPlan): Promise<VmLossResult> {
  const lockName = `vm-${Date.now().toString(36)}-t${plan.index}`;
  const dir = join(plan.dir, lockName);
  mkdirSync(dir, { recursive: true });
  const markers = join(dir, 'markers');
  writeFileSync(markers, '');
  const candidates = plan.hosts.map((host, i) =>
    plan.processes.spawn(
      process.execPath,
      [plan.batonCli, 'run', '--singleton', lockName, '--identity', `c${i}`, '--'].concat([
        '/bin/sh',
        plan.workerScript,
        `c${i}`,
        markers,
        join(dir, 'alive'),
      ]),
      { env: agentEnv(host), cwd: plan.repoRoot, logPath: join(dir, `c${i}.log`) },
    ),
  );
  try {
    const ready = await until(READY_TIMEOUT_MS, async () => {
      const first = readMarkers(markers)[0];
      const sessions = await plan.server.client().session.list();
      const waiting = sessions.filter((s) => s.name.includes(`/locks/${lockName} (`)).length;
      return first !== undefined && waiting >= candidates.length ? first : undefined;
    });
    if (ready === undefined) return { index: plan.index, error: 'candidates not up in time' };
    await abortableSleep(300 + Math.random() * PROBE_PHASE_MS);
    const holderIndex = Number(ready.who.slice(1));
    const host = plan.hosts[holderIndex];
    const holder = candidates[holderIndex];
    if (host === undefined || holder === undefined) return { index: plan.index, error: 'unknown holder' };
    const killedAt = Date.now();
    plan.processes.killGroup(holder.pid);
    const agentGone = host.kill();
    const detection = detectCritical(plan.server, host.options.nodeName, killedAt);
    const successor = await until(OUTCOME_TIMEOUT_MS, () => Promise.resolve(readMarkers(markers)[1]));
    const gossipDetectionMs = await detection;
    await agentGone;
    if (successor === undefined) return { index: plan.index, gossipDetectionMs, error: 'no successor' };
    await abortableSleep(1_000);
    const all = readMarkers(markers);
    return {
      index: plan.index,
      gossipDetectionMs,
      latencyMs: Math.round(successor.atMs - killedAt),
      successors: all.length - 1,
      overlaps: all.filter((marker) => marker.overlap).length,
    };
  } finally {
    await stopAll(plan, candidates, markers);
  }
}

/** SIGKILL a `baton cell`'s agent and the cell; time CellLost as a presence watcher on a server delivers it. */
export async function cellVmLossTrial(plan: VmLossPlan): Promise<VmLossResult> {
  const id = `vm-cell-${Date.now().toString(36)}-${plan.index}`;
  const dir = join(plan.dir, id);
  mkdirSync(dir, { recursive: true });
  const host = plan.hosts[plan.index % plan.hosts.length];
  if (host === undefined) return { index: plan.index, error: 'no host' };
  const cell = plan.processes.spawn(
    process.execPath,
    [plan.batonCli, 'cell', '--id', id, '--address', '127.0.0.1:1', '--', 'sleep', 'infinity'],
    { env: agentEnv(host), cwd: plan.repoRoot, logPath: join(dir, 'cell.log') },
  );
  const watcher = new PresenceWatcher({ client: plan.server.client() });
  let lostAt: number | undefined;
  const off = watcher.events.on((event) => {
    if (event.type === 'CellLost' && event.subject === id) lostAt ??= Date.now();
  });
  try {
    await watcher.start();
    const presenceKey = new KvLayout().presence.cell(id);
    const up = await until(READY_TIMEOUT_MS, async () => {
      const { value } = await plan.server.client().kv.get(presenceKey);
      return value?.session === undefined ? undefined : true;
    });
    if (up === undefined) return { index: plan.index, error: 'cell not up in time' };
    await abortableSleep(300 + Math.random() * PROBE_PHASE_MS);
    const killedAt = Date.now();
    plan.processes.killGroup(cell.pid);
    const agentGone = host.kill();
    const gossipDetectionMs = await detectCritical(plan.server, host.options.nodeName, killedAt);
    await until(OUTCOME_TIMEOUT_MS, () => Promise.resolve(lostAt));
    await agentGone;
    if (lostAt === undefined) return { index: plan.index, gossipDetectionMs, error: 'no CellLost' };
    return { index: plan.index, gossipDetectionMs, latencyMs: lostAt - killedAt };
  } finally {
    off();
    await watcher.stop();
    plan.processes.killGroup(cell.pid);
    await cell.exited;
    await reviveHost(plan, host);
  }
}

async function stopAll(plan: VmLossPlan, candidates: readonly Started[], markers: string): Promise<void> {
  for (const candidate of candidates) plan.processes.killGroup(candidate.pid);
  await Promise.all(candidates.map((candidate) => candidate.exited));
  for (const marker of readMarkers(markers)) await plan.processes.killWorker(marker.pid);
  for (const host of plan.hosts) if (!host.running) await reviveHost(plan, host);
}

/** Restart a killed host agent and wait until the servers see it alive again. */
async function reviveHost(plan: VmLossPlan, host: ConsulAgentProcess): Promise<void> {
  if (!host.running) await host.restart();
  await until(READY_TIMEOUT_MS, async () =>
    (await serfStatus(plan.server, host.options.nodeName)) === 'passing' ? true : undefined,
  );
}

async function detectCritical(
  server: ConsulAgentProcess,
  node: string,
  since: number,
): Promise<number | undefined> {
  const seen = await until(OUTCOME_TIMEOUT_MS, async () =>
    (await serfStatus(server, node)) === 'critical' ? Date.now() : undefined,
  );
  return seen === undefined ? undefined : seen - since;
}

async function serfStatus(server: ConsulAgentProcess, node: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${server.httpAddr}/v1/health/node/${encodeURIComponent(node)}`);
    const checks = (await response.json()) as { CheckID: string; Status: string }[];
    return checks.find((check) => check.CheckID === 'serfHealth')?.Status;
  } catch {
    return undefined;
  }
}

function agentEnv(host: ConsulAgentProcess): NodeJS.ProcessEnv {
  return peerEnv(host.httpAddr);
}

async function until<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await abortableSleep(POLL_MS);
  }
  return undefined;
}
