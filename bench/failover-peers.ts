import { join } from 'node:path';
import { DEFAULT_TIMING } from '../src/api/timing-profile.js';
import { KvLayout } from '../src/layout/kv-layout.js';
import { candidateSessionName } from '../src/layout/session-names.js';

export type PeerName = 'baton' | 'consul-lock' | 'naive';
export const PEER_NAMES: readonly PeerName[] = ['baton', 'consul-lock', 'naive'];

export interface PeerEnvironment {
  readonly repoRoot: string;
  /** The compiled `baton` CLI (cli/main.js) to run. */
  readonly batonCli: string;
  /** The Consul binary of the agent under test; `consul lock` runs from it too. */
  readonly consulBinary: string;
  /** HTTP address of the one agent every peer must use. */
  readonly consulAddr: string;
}

export interface CandidateCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** One way of running "a command only while holding a lock", as the benchmark drives it. */
export interface Peer {
  readonly name: PeerName;
  /** The settings that decide its timing, for the results file. */
  readonly settings: Readonly<Record<string, string>>;
  /** Hard-kill trials take tens of seconds each: the runner may run several at once, on distinct locks. */
  readonly slowFailover: boolean;
  /**
   * How often the holder proves it is alive (session renew or check pass). Each trial waits a uniformly
   * random part of it before the kill, so kills land at every phase of the cycle, as real crashes do.
   */
  readonly heartbeatPeriodMs: number;
  /** Whether it writes the handover trace of `BATON_HANDOVER_TRACE` (src/process/handover-trace.ts). */
  readonly traces: boolean;
  /** A candidate for `lockName` named `who` that runs `worker` (argv) while it holds the lock. */
  candidate(lockName: string, who: string, worker: readonly string[]): CandidateCommand;
  /** Part of the Name of a candidate's Consul session, to see that all candidates are up and waiting. */
  sessionTag(lockName: string): string;
}

/** Where the consul-lock and naive peers put their keys. */
const KV_PREFIX = 'bench/failover';

export function makePeer(name: PeerName, env: PeerEnvironment): Peer {
  switch (name) {
    case 'baton':
      return batonPeer(env);
    case 'consul-lock':
      return consulLockPeer(env);
    case 'naive':
      return naivePeer(env);
  }
}

/** `baton run` with default timing. */
function batonPeer(env: PeerEnvironment): Peer {
  const cli = env.batonCli;
  return {
    name: 'baton',
    settings: {
      command: 'baton run --singleton <lock> --identity <who> -- <worker>',
      checkTtl: `${DEFAULT_TIMING.checkTtlMs}ms (agent TTL check linked to the session, no session TTL)`,
      lockDelay: `${DEFAULT_TIMING.lockDelayMs}ms`,
      confirmInterval: `${DEFAULT_TIMING.confirmIntervalMs}ms`,
      killGrace: `${DEFAULT_TIMING.killGraceMs}ms`,
      wait: 'blocking query on the lock key; 50ms retry while lock-delay refuses an acquire',
    },
    slowFailover: false,
    heartbeatPeriodMs: DEFAULT_TIMING.confirmIntervalMs,
    traces: true,
    candidate: (lockName, who, worker) => ({
      file: process.execPath,
      args: [cli, 'run', '--singleton', lockName, '--identity', who, '--', ...worker],
    }),
    // The session name up to the identity: `baton singleton <lock key> (`.
    sessionTag: (lockName) => candidateSessionName(new KvLayout().locks.singleton(lockName), '').slice(0, -1),
  };
}

/**
 * Consul's own `consul lock` with its defaults. Its command goes through `sh -c` (`-shell` defaults to
 * true), so the command line starts with `exec`: dash does not exec the last command of `sh -c` itself, and
 * without it a SIGTERM would reach only the shell and orphan the worker on every clean handover.
 */
function consulLockPeer(env: PeerEnvironment): Peer {
  return {
    name: 'consul-lock',
    settings: {
      command: `consul lock -http-addr=<agent> ${KV_PREFIX}/<lock> exec <worker>`,
      sessionTtl: '15s (Consul arms 2 x TTL; renewed every TTL/2)',
      lockDelay: '15s (server default)',
      checks: 'serfHealth',
      wait: 'blocking query, 15s; 5s sleep after an acquire refused on a free key',
      killGrace: '5s',
    },
    slowFailover: true,
    heartbeatPeriodMs: 7_500,
    traces: false,
    candidate: (lockName, _who, worker) => ({
      file: env.consulBinary,
      args: [
        'lock',
        `-http-addr=${env.consulAddr}`,
        `${KV_PREFIX}/${lockName}`,
        ['exec', ...worker.map(shellQuote)].join(' '),
      ],
    }),
    sessionTag: (lockName) => `at '${KV_PREFIX}/${lockName}'`,
  };
}

/** The seed's naive lock: bench/peers/naive-lock.ts. */
function naivePeer(env: PeerEnvironment): Peer {
  const script = join(env.repoRoot, 'bench/peers/naive-lock.ts');
  const tsx = import.meta.resolve('tsx');
  return {
    name: 'naive',
    settings: {
      command: 'node --import tsx bench/peers/naive-lock.ts <key> <who> -- <worker>',
      sessionTtl: '10s (Consul arms 2 x TTL; renewed every TTL/2)',
      lockDelay: '15s (server default)',
      checks: 'serfHealth',
      wait: 'blocking query, 15s; 5s sleep after an acquire refused on a free key (as api.Lock)',
      killGrace: '5s',
    },
    slowFailover: true,
    heartbeatPeriodMs: 5_000,
    traces: false,
    candidate: (lockName, who, worker) => ({
      file: process.execPath,
      args: ['--import', tsx, script, `${KV_PREFIX}/${lockName}/lock`, who, '--', ...worker],
    }),
    sessionTag: (lockName) => `naive lock ${KV_PREFIX}/${lockName}/lock (`,
  };
}

function shellQuote(arg: string): string {
  return /^[\w./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
