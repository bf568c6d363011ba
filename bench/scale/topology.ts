import { setPriority } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { freePort } from '../../src/dev/ports.js';
import type { ScaleOptions } from './options.js';
import { killHard, nextMessage, type ProcessRegistry } from './processes.js';
import type { FromPool, FromSubscriber, ToPool } from './protocol.js';
import { ChangeRecorder, EventRecorder } from './recorder.js';
import { metricByLabel, metricSum, until } from './stats.js';

const HERE = import.meta.dirname;
const CLI = join(HERE, '../../dist/cli/main.js');

/** Every agent's clients share one loopback IP here (on real hosts they do not): lift the per-IP cap. */
const LOOPBACK_HCL = 'limits { http_max_conns_per_client = 10000 }';

/** How long one pool may take to register its cells (1,000 per pool at N = 10,000 on a loaded machine). */
const REGISTRATION_TIMEOUT_MS = 30 * 60_000;
/** Cells started at once per pool. */
const START_CONCURRENCY = 3;

export type PoolKind = 'bulk' | 'probe';

export class Pool {
  alive = true;
  constructor(
    readonly kind: PoolKind,
    readonly host: Host,
    readonly ids: readonly string[],
    public child: ChildProcess,
  ) {}

  send(message: ToPool): void {
    this.child.send(message);
  }

  async kill(): Promise<void> {
    this.alive = false;
    await killHard(this.child);
  }
}

export interface Host {
  readonly index: number;
  readonly agent: ConsulAgentProcess;
  alive: boolean;
  pools: Pool[];
}

export interface ControllerProcess {
  readonly name: string;
  readonly agent: ConsulAgentProcess;
  readonly httpAddr: string;
  readonly child: ChildProcess;
}

export interface Readiness {
  readonly status: number;
  readonly state: string | undefined;
}

/** One N's simulated installation: a server, hosts with their pools, two controllers and a subscriber. */
export class Fleet {
  readonly events = new EventRecorder();
  readonly changes = new ChangeRecorder();
  readonly errors: string[] = [];
  readonly hosts: Host[] = [];
  readonly controllers: ControllerProcess[] = [];
  readonly controllerAgents: ConsulAgentProcess[] = [];
  server!: ConsulAgentProcess;
  subscriber!: ChildProcess;
  registeredMs = 0;
  activeAtStart: string | undefined;
  readonly #agents: ConsulAgentProcess[] = [];

  constructor(
    readonly n: number,
    readonly options: ScaleOptions,
    readonly processes: ProcessRegistry,
    readonly workDir: string,
    readonly consulBinary: string,
  ) {
    mkdirSync(workDir, { recursive: true });
  }

  get pools(): Pool[] {
    return this.hosts.flatMap((host) => host.pools);
  }

  get probeIds(): string[] {
    return this.pools.filter((pool) => pool.kind === 'probe').flatMap((pool) => [...pool.ids]);
  }

  /** Start everything and register all N cells; resolves once the subscriber has every CellRegistered. */
  async start(log: (line: string) => void): Promise<void> {
    const agent = async (nodeName: string, mode: 'server' | 'client'): Promise<ConsulAgentProcess> => {
      const started = await ConsulAgentProcess.start({
        binary: this.consulBinary,
        nodeName,
        mode,
        bootstrapExpect: 1,
        workDir: join(this.workDir, nodeName),
        // Consul's own production gossip and Raft timing, not the tests' fast tuning.
        timing: 'consul-defaults',
        extraHcl: [LOOPBACK_HCL],
        ...(mode === 'client' ? { join: [this.server.serfLanAddr] } : {}),
      });
      this.#agents.push(started);
      return started;
    };
    this.server = await agent(`scale-${this.n}-server`, 'server');
    await this.server.waitReady({ timeoutMs: 120_000 });
    const hostAgents = await Promise.all(
      Array.from({ length: this.options.hosts }, (_, i) => agent(`scale-${this.n}-host-${i}`, 'client')),
    );
    this.controllerAgents.push(
      ...(await Promise.all([0, 1].map((i) => agent(`scale-${this.n}-controller-${i}`, 'client')))),
    );
    await Promise.all(
      [...hostAgents, ...this.controllerAgents].map((a) => a.waitReady({ timeoutMs: 120_000 })),
    );
    // Simulated hosts yield the CPU: on real hosts their agents and bulk cells would not share the
    // controllers' and the server's cores (see HOST_NICENESS).
    for (const host of hostAgents) lowerPriority(host.pid);
    log(`agents up: 1 server, ${hostAgents.length} hosts, 2 controller agents`);

    this.subscriber = this.processes.fork(
      join(HERE, 'subscriber-process.ts'),
      { BENCH_CONSUL: this.server.httpAddr },
      join(this.workDir, 'subscriber.log'),
    );
    this.subscriber.on('message', (message: FromSubscriber) => {
      if (message.type === 'events') this.events.add(message.events);
      else if (message.type === 'gap')
        this.events.gaps.push({ fromSeq: message.fromSeq, toSeq: message.toSeq });
      else if (message.type === 'error') this.errors.push(`subscriber: ${message.message}`);
    });
    await nextMessage<FromSubscriber>(this.subscriber, (m) => m.type === 'ready', 60_000, 'subscriber');

    for (const [i, controllerAgent] of this.controllerAgents.entries()) {
      const name = `ctl-${i}`;
      const httpAddr = `127.0.0.1:${await freePort()}`;
      const child = this.processes.spawn(
        process.execPath,
        [
          CLI,
          'controller',
          '--http',
          httpAddr,
          '--identity',
          name,
          ...(this.options.controllerTiming === 'relaxed' ? CONTROLLER_TIMING : []),
        ],
        { CONSUL_HTTP_ADDR: controllerAgent.httpAddr, BATON_LOG_LEVEL: 'warn' },
        join(this.workDir, `${name}.log`),
      );
      this.controllers.push({ name, agent: controllerAgent, httpAddr, child });
    }
    const leaderUp = await until(async () => (await this.active()) !== undefined, 120_000, 200);
    if (!leaderUp) throw new Error('no controller became active within 120 s');
    this.activeAtStart = (await this.active())?.name;
    log(`controllers up (active: ${this.activeAtStart})`);

    const perHost = this.split();
    const started = Date.now();
    await Promise.all(
      perHost.map(async ({ bulk, probe }, index) => {
        const hostAgent = hostAgents[index];
        if (hostAgent === undefined) throw new Error(`no agent for host ${index}`);
        const host: Host = { index, agent: hostAgent, alive: true, pools: [] };
        this.hosts.push(host);
        await Promise.all([this.startPool(host, 'bulk', bulk), this.startPool(host, 'probe', probe)]);
      }),
    );
    this.hosts.sort((a, b) => a.index - b.index);
    const all = this.pools.flatMap((pool) => pool.ids);
    const seen = await until(() => all.every((id) => this.hasRegistered(id)), 300_000, 200);
    this.registeredMs = Date.now() - started;
    if (!seen) this.errors.push('registration: not every CellRegistered reached the subscriber within 300 s');
    log(`${all.length} cells registered in ${this.registeredMs} ms`);
  }

  /** Ids per host: probes (1 % of N over the hosts, at least one each) and the bulk rest. */
  split(): { bulk: string[]; probe: string[] }[] {
    const { hosts, probeFraction } = this.options;
    const probesPerHost = Math.max(1, Math.round((this.n * probeFraction) / hosts));
    return Array.from({ length: hosts }, (_, h) => {
      const cellsOnHost = Math.floor(this.n / hosts) + (h < this.n % hosts ? 1 : 0);
      const probe = Array.from(
        { length: Math.min(probesPerHost, cellsOnHost) },
        (_, i) => `h${h}-probe-${i}`,
      );
      const bulk = Array.from({ length: cellsOnHost - probe.length }, (_, i) => `h${h}-bulk-${i}`);
      return { bulk, probe };
    });
  }

  /** (Re)start a pool of `ids` on `host`, resolving when all are registered (the pool's own report). */
  async startPool(host: Host, kind: PoolKind, ids: readonly string[]): Promise<Pool> {
    const child = this.processes.fork(
      join(HERE, 'pool-process.ts'),
      { BENCH_CONSUL: host.agent.httpAddr },
      join(this.workDir, `host-${host.index}-${kind}.log`),
    );
    child.on('message', (message: FromPool) => {
      if (message.type === 'changes') this.changes.add(message.changes);
      else if (message.type === 'error') this.errors.push(`host ${host.index} ${kind}: ${message.message}`);
    });
    await nextMessage<FromPool>(child, (m) => m.type === 'ready', 60_000, `${kind} pool ${host.index}`);
    if (kind === 'bulk') lowerPriority(child.pid);
    const pool = new Pool(kind, host, ids, child);
    host.pools = [...host.pools.filter((p) => p.kind !== kind), pool];
    const probe = kind === 'probe';
    pool.send({
      type: 'start',
      pool: host.index * 2 + (probe ? 1 : 0),
      ids,
      heartbeatMs: probe ? this.options.probeHeartbeatMs : this.options.bulkHeartbeatMs,
      checkTtlMs: probe ? this.options.probeTtlMs : this.options.bulkTtlMs,
      concurrency: START_CONCURRENCY,
    });
    const done = await nextMessage<FromPool>(
      child,
      (m) => m.type === 'registered',
      REGISTRATION_TIMEOUT_MS,
      `${kind} pool ${host.index}`,
    );
    if (done.type === 'registered' && done.failed > 0)
      this.errors.push(`host ${host.index} ${kind}: ${done.failed} cells failed to register`);
    return pool;
  }

  hasRegistered(id: string): boolean {
    const incarnation = this.changes.incarnation(id);
    return (
      incarnation !== undefined && this.events.receivedAt('CellRegistered', id, incarnation) !== undefined
    );
  }

  async readiness(controller: ControllerProcess): Promise<Readiness> {
    try {
      const response = await fetch(`http://${controller.httpAddr}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await response.json()) as { detail?: { state?: string } };
      return { status: response.status, state: body.detail?.state };
    } catch {
      return { status: 0, state: undefined };
    }
  }

  /** The controller whose /readyz answers 200 as `leading`. */
  async active(): Promise<ControllerProcess | undefined> {
    for (const controller of this.controllers) {
      if (controller.child.exitCode !== null || controller.child.signalCode !== null) continue;
      const readiness = await this.readiness(controller);
      if (readiness.status === 200 && readiness.state === 'leading') return controller;
    }
    return undefined;
  }

  async scrape(controller: ControllerProcess): Promise<ControllerSample> {
    const text = await fetch(`http://${controller.httpAddr}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    }).then((r) => r.text());
    return {
      at: Date.now(),
      cpuSeconds: metricSum(text, 'process_cpu_seconds_total'),
      rssBytes: metricSum(text, 'process_resident_memory_bytes'),
      heapUsedBytes: metricSum(text, 'nodejs_heap_size_used_bytes'),
      externalBytes: metricSum(text, 'nodejs_external_memory_bytes'),
      requests: metricSum(text, 'baton_consul_requests_total'),
      responseBytes: metricSum(text, 'baton_consul_response_bytes_total'),
      requestsByEndpoint: metricByLabel(text, 'baton_consul_requests_total', 'endpoint'),
    };
  }

  /** RSS of every live pool process (the orchestrator checks 10,000 cells in 10 pools fit). */
  async poolMemory(): Promise<{ kind: PoolKind; host: number; rssMb: number; heapMb: number }[]> {
    return Promise.all(
      this.pools
        .filter((pool) => pool.alive)
        .map(async (pool) => {
          pool.send({ type: 'stats' });
          const stats = await nextMessage<FromPool>(
            pool.child,
            (m) => m.type === 'stats',
            10_000,
            'pool stats',
          );
          const { rssMb, heapMb } = stats.type === 'stats' ? stats : { rssMb: NaN, heapMb: NaN };
          return { kind: pool.kind, host: pool.host.index, rssMb, heapMb };
        }),
    );
  }

  /**
   * What each controller warned about (pino level >= 40), counted by message: a term lost under load shows up
   * here ("lost confidence"), and the watcher figures then belong to whichever replica was active.
   */
  controllerWarnings(): Record<string, Record<string, number>> {
    const result: Record<string, Record<string, number>> = {};
    for (const controller of this.controllers) {
      const counts: Record<string, number> = {};
      let text = '';
      try {
        text = readFileSync(join(this.workDir, `${controller.name}.log`), 'utf8');
      } catch {
        // no log
      }
      for (const line of text.split('\n')) {
        const entry = parseLogLine(line);
        if (entry === undefined) continue;
        if ((entry.level ?? 0) >= 40) counts[entry.msg ?? '?'] = (counts[entry.msg ?? '?'] ?? 0) + 1;
      }
      result[controller.name] = counts;
    }
    return result;
  }

  /** Every event and change of this N as JSON lines in the work folder (kept with --keep-logs). */
  dumpRecords(): void {
    const lines = (items: readonly unknown[]): string =>
      items.map((item) => `${JSON.stringify(item)}\n`).join('');
    writeFileSync(join(this.workDir, 'events.jsonl'), lines(this.events.all));
    writeFileSync(join(this.workDir, 'changes.jsonl'), lines(this.changes.all));
  }

  /** Kill every process of this N and remove the agents' folders (kept with --keep-logs). */
  async stop(): Promise<void> {
    this.processes.killAll();
    await Promise.all(this.#agents.map((agent) => agent.kill()));
  }
}

export interface ControllerSample {
  readonly at: number;
  readonly cpuSeconds: number | null;
  readonly rssBytes: number | null;
  /** Live JavaScript heap and Buffers: what the process holds, against RSS, which also counts what V8 keeps. */
  readonly heapUsedBytes: number | null;
  readonly externalBytes: number | null;
  readonly requests: number | null;
  readonly responseBytes: number | null;
  readonly requestsByEndpoint: Readonly<Record<string, number>>;
}

/** One pino JSON line; undefined for anything else (a warning from Node, a line cut short by SIGKILL). */
function parseLogLine(line: string): { level?: number; msg?: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as { level?: number; msg?: string };
  } catch {
    return undefined;
  }
}

/**
 * The controllers' election timing here: it tolerates 2 s without a server confirmation (the default, 400 ms,
 * is a worker's budget; on this shared machine under 10,000 cells a confirmation round trip exceeds it: a
 * controller at the default stopped about 35 times a minute, and at a 1 s budget 98 times in 14 minutes).
 * Still safe by `checkTiming` (stopped by 2.1 s, lock-delay 2.5 s); a hard-killed controller is replaced in
 * about checkTtl + lockDelay = 5.5 s. `--controller-timing default` runs the controllers at Baton's defaults.
 */
export const CONTROLLER_TIMING = [
  '--confirm-interval',
  '1s',
  '--check-ttl',
  '3s',
  '--lock-delay',
  '2.5s',
  '--kill-grace',
  '100ms',
] as const;

/**
 * The niceness of the simulated hosts' Consul agents and bulk pools. On one 2-core machine, 10,000 cells'
 * heartbeats would otherwise starve the controllers and the server, which on real hosts have cores of
 * their own; the probe pools (the timed cells) keep normal priority like the controllers.
 */
export const HOST_NICENESS = 10;

function lowerPriority(pid: number | undefined): void {
  if (pid !== undefined) setPriority(pid, HOST_NICENESS);
}
