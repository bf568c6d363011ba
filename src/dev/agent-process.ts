import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsulClient } from '../consul/client.js';
import { abortableSleep } from '../time/clock.js';
import { freePort } from './ports.js';

export interface AgentPorts {
  readonly http: number;
  readonly serfLan: number;
  readonly serfWan: number;
  readonly server: number;
}

export interface ConsulAgentOptions {
  readonly binary: string;
  readonly nodeName: string;
  /** `dev`: one in-memory server. `server`/`client`: real agents with a data dir, for clusters. */
  readonly mode: 'dev' | 'server' | 'client';
  readonly bootstrapExpect?: number;
  /** Serf LAN addresses (`127.0.0.1:port`) to join. */
  readonly join?: readonly string[];
  /** Folder for the log file and (non-dev) data dir. Default: a fresh temp folder. */
  readonly workDir?: string;
  readonly extraHcl?: readonly string[];
  /** Reuse ports (a restart keeps its identity). */
  readonly ports?: AgentPorts;
  /**
   * `tuned` (non-dev agents): the fast gossip and `raft_multiplier = 1` of CLUSTER_HCL. `consul-defaults`:
   * neither, so Consul's own production timing applies (LAN gossip probe 1 s, suspicion_mult 4,
   * raft_multiplier 5). @default 'tuned'
   */
  readonly timing?: 'tuned' | 'consul-defaults';
}

/**
 * Settings that make failure detection and TTL checks as fast as the tests and demo need
 * (consul-facts §8): TTL checks sync state changes at once, sessions may have short TTLs, no DNS or gRPC.
 */
const COMMON_HCL = ['session_ttl_min = "1s"', 'check_update_interval = "0s"', 'disable_update_check = true'];
const CLUSTER_HCL = [
  'gossip_lan { probe_interval = "100ms" probe_timeout = "100ms" gossip_interval = "100ms" suspicion_mult = 3 }',
  'performance { raft_multiplier = 1 }',
];

/** One Consul agent process on loopback, with free ports, a log file, and stop/kill/restart controls. */
export class ConsulAgentProcess {
  readonly options: ConsulAgentOptions;
  readonly ports: AgentPorts;
  readonly workDir: string;
  readonly logPath: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(options: ConsulAgentOptions, ports: AgentPorts, workDir: string) {
    this.options = options;
    this.ports = ports;
    this.workDir = workDir;
    this.logPath = join(workDir, `${options.nodeName}.log`);
  }

  static async start(options: ConsulAgentOptions): Promise<ConsulAgentProcess> {
    const ports = options.ports ?? {
      http: await freePort(),
      serfLan: await freePort(),
      serfWan: await freePort(),
      server: await freePort(),
    };
    const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), `baton-consul-${options.nodeName}-`));
    mkdirSync(workDir, { recursive: true });
    const agent = new ConsulAgentProcess(options, ports, workDir);
    agent.#spawn();
    return agent;
  }

  /** `http://127.0.0.1:<http port>`. */
  get httpAddr(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  get serfLanAddr(): string {
    return `127.0.0.1:${this.ports.serfLan}`;
  }

  /** The RPC address, as `/v1/status/leader` reports a leader. */
  get serverAddr(): string {
    return `127.0.0.1:${this.ports.server}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  client(): ConsulClient {
    return new ConsulClient({ baseUrl: this.httpAddr });
  }

  /** Wait until the agent answers, knows a Raft leader, and (optionally) its node is in the catalog. */
  async waitReady(options: { timeoutMs?: number; requireNode?: boolean } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const client = this.client();
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`Consul agent ${this.options.nodeName} exited; log: ${this.logPath}`);
      try {
        const leader = await client.leader();
        const nodeOk = options.requireNode === false || (await client.nodeRegistered(this.options.nodeName));
        if (leader !== undefined && nodeOk) return;
      } catch (error: unknown) {
        lastError = error;
      }
      await abortableSleep(100);
    }
    throw new Error(`Consul agent ${this.options.nodeName} not ready in time; log: ${this.logPath}`, {
      cause: lastError,
    });
  }

  /** Graceful stop (SIGTERM), escalating to SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Hard death: SIGKILL, as if the VM vanished. */
  async kill(): Promise<void> {
    if (this.#child === undefined || !this.running) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** Start again with the same ports, node name and data dir. */
  async restart(): Promise<void> {
    if (this.running) await this.stop();
    this.#spawn();
    await this.waitReady({ requireNode: false });
  }

  /** Stop and delete the work folder (keep it when `keepLogs`). */
  async dispose(keepLogs = false): Promise<void> {
    await this.stop();
    if (!keepLogs) rmSync(this.workDir, { recursive: true, force: true });
  }

  #args(): string[] {
    const { mode, nodeName } = this.options;
    const args = ['agent', `-node=${nodeName}`, '-bind=127.0.0.1', '-client=127.0.0.1', '-log-level=info'];
    args.push(`-http-port=${this.ports.http}`, '-dns-port=-1', '-grpc-port=-1');
    args.push(`-serf-lan-port=${this.ports.serfLan}`, `-serf-wan-port=${this.ports.serfWan}`);
    args.push(`-server-port=${this.ports.server}`);
    if (mode === 'dev') args.push('-dev');
    else args.push(`-data-dir=${join(this.workDir, 'data')}`);
    if (mode === 'server') args.push('-server', `-bootstrap-expect=${this.options.bootstrapExpect ?? 1}`);
    for (const address of this.options.join ?? []) args.push(`-retry-join=${address}`);
    const tuned = mode !== 'dev' && this.options.timing !== 'consul-defaults';
    const hcl = [...COMMON_HCL, 'ports { grpc_tls = -1 }', ...(tuned ? CLUSTER_HCL : [])];
    for (const fragment of [...hcl, ...(this.options.extraHcl ?? [])]) args.push(`-hcl=${fragment}`);
    return args;
  }

  #spawn(): void {
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(this.options.binary, this.#args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.#child = child;
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    liveAgents.add(child);
    child.once('exit', () => liveAgents.delete(child));
  }
}

/** Agents still running when this process exits are killed, so a crashed test run leaves no orphans. */
const liveAgents = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveAgents) child.kill('SIGKILL');
});
