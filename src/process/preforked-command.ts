import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../time/clock.js';
import { commandEnv, type BatonVariables } from './command-env.js';
import { SUPERVISION_DEFAULTS } from './defaults.js';
import { SupervisedChild } from './supervised-child.js';

export interface PreforkedCommandOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** What is known before the acquire (singleton, identity, lock key): in the launcher's environment. */
  readonly variables: BatonVariables;
  readonly killGraceMs: number;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Wait this long before forking again after a waiting launcher died (bounds a fork loop). */
  readonly reforkDelayMs?: number;
}

/**
 * A supervised command forked while its candidate still waits for the lock, so a takeover does not pay for
 * the fork: one gated `SupervisedChild` (its own process group, the parent-death signal, the environment)
 * blocked before the command, which `superviseCommand` releases with the term's fencing token once the
 * acquire is confirmed. Until then nothing of the command runs; `close()` (the candidate stops) kills the
 * waiting launcher, and one that dies while waiting is forked again.
 */
export class PreforkedCommand {
  readonly #options: PreforkedCommandOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #closed = new AbortController();
  #waiting: SupervisedChild | undefined;

  constructor(options: PreforkedCommandOptions) {
    this.#options = options;
    this.#env = commandEnv(options.variables);
  }

  /** Fork a launcher now, unless one already waits or this is closed. */
  prepare(): void {
    if (this.#closed.signal.aborted || this.#waiting !== undefined) return;
    const child = this.#fork();
    this.#waiting = child;
    void child.exited.then((exit) => {
      if (this.#waiting !== child) return; // taken (its exit is the command's) or closed
      this.#waiting = undefined;
      this.#options.log.warn({ ...exit, pid: child.pid }, 'pre-forked launcher died while waiting');
      const clock = this.#options.clock ?? systemClock;
      clock
        .sleep(this.#options.reforkDelayMs ?? SUPERVISION_DEFAULTS.reforkDelayMs, this.#closed.signal)
        .then(() => this.prepare())
        .catch(() => undefined);
    });
  }

  /** Hand over the waiting launcher (or fork one now if none waits); its gate is the caller's to open. */
  take(): SupervisedChild {
    const child = this.#waiting ?? this.#fork();
    this.#waiting = undefined;
    return child;
  }

  /** What the gate must still pass: the variables not already in the launcher's environment. */
  gateVariables(variables: BatonVariables): Record<string, string> {
    const late: Record<string, string> = {};
    for (const [name, value] of Object.entries(commandEnv(variables, {})))
      if (value !== undefined && this.#env[name] !== value) late[name] = value;
    return late;
  }

  /** Kill the waiting launcher (its command never runs) and fork no more; resolves once its group is gone. */
  async close(): Promise<void> {
    this.#closed.abort();
    const child = this.#waiting;
    this.#waiting = undefined;
    await child?.stop('SIGKILL');
  }

  #fork(): SupervisedChild {
    const { command, args, killGraceMs } = this.#options;
    return new SupervisedChild(command, args, { killGraceMs, env: this.#env, gated: true });
  }
}
