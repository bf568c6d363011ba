import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ChildExit } from './exit-status.js';
import { traceHandover } from './handover-trace.js';
import { gatedArgv, gateMessage } from './launch-gate.js';
import { groupAlive, groupGone, signalGroup } from './process-group.js';

export interface SupervisedChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** SIGTERM first, then SIGKILL this long after. */
  readonly killGraceMs: number;
  /**
   * Fork now but hold the command at a gate (see launch-gate.ts) until `open()`: the process, its group
   * and its parent-death signal exist, the command does not run. Killing it or dropping the gate runs
   * nothing.
   */
  readonly gated?: boolean;
}

/** util-linux's setpriv sets the parent-death signal, which Node cannot set itself. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * A worker command and everything it forks, as one unit: its process group.
 * - It leads a new process group, so a stop reaches its whole tree, and it is *stopped* only when no live
 *   member of the group is left: when the command exits on its own, the rest of its group gets SIGTERM,
 *   then SIGKILL after the grace period, and `stopped` waits for all of it. A caller may release a lock or
 *   write a departure only after `stopped`.
 * - On Linux the command starts through `setpriv --pdeathsig SIGKILL`, so the kernel kills it the moment
 *   the supervisor dies. That covers the direct child only; its descendants are the watchdog's job.
 * Limit: a descendant that leaves the group (`setsid`, daemonizing) escapes any supervisor.
 */
export class SupervisedChild {
  /** The direct child exited (its descendants may still run). */
  readonly exited: Promise<ChildExit>;
  /** The whole group is gone; resolves with the direct child's exit. */
  readonly stopped: Promise<ChildExit>;
  readonly #child: ChildProcess;
  readonly #killGraceMs: number;
  #exit: ChildExit | undefined;
  #stopping = false;
  #killing = false;
  #killTimer: NodeJS.Timeout | undefined;
  /** The write end of the gate, until it is opened (gated children only). */
  #gate: Writable | undefined;
  /** The whole group is gone: its pgid may be reused, so nothing may be signalled any more. */
  #settled = false;

  constructor(command: string, args: readonly string[], options: SupervisedChildOptions) {
    this.#killGraceMs = options.killGraceMs;
    const gated = options.gated === true;
    const [program, programArgs] = gated ? gatedArgv(command, args) : [command, args];
    const [file, argv] =
      SETPRIV === undefined
        ? [program, programArgs]
        : [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', program, ...programArgs]];
    this.#child = spawn(file, argv, {
      stdio: gated ? ['inherit', 'inherit', 'inherit', 'pipe'] : 'inherit',
      detached: true,
      env: options.env ?? process.env,
    });
    if (gated) {
      this.#gate = this.#child.stdio[3] as Writable;
      this.#gate.on('error', () => undefined); // a launcher that died is reported by 'exit'
    } else traceHandover('child-spawned');
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        traceHandover('child-exited');
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      this.#child.once('error', () => {
        this.#exit = { code: 127, signal: null };
        resolve(this.#exit);
      });
    });
    this.stopped = this.#settle();
  }

  /** Whether this is a gated child whose command has not been released yet. */
  get gated(): boolean {
    return this.#gate !== undefined;
  }

  /**
   * Release a gated child: it exports `variables` (each a `BATON_*` name) and execs the command. Only once
   * the caller holds what the command needs (the lock) may it call this.
   */
  open(variables: Readonly<Record<string, string>>): void {
    const gate = this.#gate;
    if (gate === undefined) return;
    const message = gateMessage(variables);
    this.#gate = undefined;
    gate.end(message);
    traceHandover('child-spawned');
  }

  /** Close a gated child's gate without releasing it: it exits without running anything. */
  closeGate(): void {
    this.#gate?.destroy();
    this.#gate = undefined;
  }

  /** Whether the kernel protects this child against the supervisor's death (Linux with setpriv). */
  static get parentDeathProtected(): boolean {
    return SETPRIV !== undefined;
  }

  /** The direct child's pid, which is also the group's id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether the direct child still runs. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Send a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid !== undefined && !this.#settled) signalGroup(pid, signal);
  }

  /**
   * Ask the group to stop with `signal` (SIGTERM unless told), then SIGKILL it after the grace period;
   * resolves once the whole group is gone. A second call only forwards its signal: the grace period
   * started by the first one still bounds the stop.
   */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildExit> {
    if (this.#settled) return this.stopped;
    this.closeGate(); // a gated child never released must not run its command, whatever the signal does
    this.signal(signal);
    if (!this.#stopping) {
      traceHandover('child-sigterm');
      this.#stopping = true;
      this.#killTimer = setTimeout(() => {
        this.#killing = true;
        this.signal('SIGKILL');
      }, this.#killGraceMs);
    }
    return this.stopped;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the whole group is gone. */
  terminate(): Promise<ChildExit> {
    return this.stop('SIGTERM');
  }

  async #settle(): Promise<ChildExit> {
    const exit = await this.exited;
    const pgid = this.#child.pid;
    if (pgid !== undefined) {
      // The command is gone but what it forked may not be: stop the rest of the group the same way.
      if (groupAlive(pgid)) this.stop('SIGTERM').catch(() => undefined);
      await groupGone(pgid, () => (this.#killing ? 'SIGKILL' : 0));
    }
    this.#settled = true;
    traceHandover('group-gone');
    clearTimeout(this.#killTimer);
    return exit;
  }
}
