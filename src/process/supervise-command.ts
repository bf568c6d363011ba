import type { Logger } from '../log/logger.js';
import { commandEnv, type BatonVariables } from './command-env.js';
import type { ChildExit } from './exit-status.js';
import type { PreforkedCommand } from './preforked-command.js';
import { SupervisedChild } from './supervised-child.js';
import { WatchdogLostError, type Watchdog } from './watchdog.js';

/**
 * The moment the work must be fully stopped if no further server confirmation arrives, in milliseconds of
 * `performance.now()`; `Leadership` from a singleton term or an exclusive lock provides it.
 */
export interface StopDeadline {
  stopDeadline(): number;
  /** Called each time a confirmation moves the deadline; returns an unsubscribe function. */
  onStopDeadline(listener: (deadlineMs: number) => void): () => void;
}

export interface SuperviseCommandOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly variables: BatonVariables;
  /** SIGTERM-to-SIGKILL grace when the group is stopped. */
  readonly killGraceMs: number;
  readonly watchdog: Watchdog;
  /** Aborts when the command must stop (the term ended): SIGTERM, then SIGKILL after killGrace. */
  readonly signal?: AbortSignal;
  /** Enforced by the watchdog, outside this event loop. Absent: only this supervisor's death is guarded. */
  readonly deadline?: StopDeadline;
  readonly log: Logger;
  /**
   * A launcher forked ahead for this command (the same command and arguments): its gate opens here, after
   * the watchdog learnt its group, so the takeover does not pay for the fork. Absent: spawned here.
   */
  readonly prepared?: PreforkedCommand;
}

export interface SupervisedOutcome {
  /** How the command itself (the group leader) ended. */
  readonly exit: ChildExit;
  /** Why the group was stopped, if it did not end on its own. */
  readonly stoppedBy: 'signal' | 'watchdog-lost' | undefined;
}

export interface SupervisedCommand {
  /** The command's pid, which is also its process group's id. */
  readonly pid: number | undefined;
  /** Forward `signal` to the group and SIGKILL it after killGrace (a supervisor's own stop signal). */
  stop(signal?: NodeJS.Signals): void;
  /** Resolves once the whole process group is gone: only then may a lock be released or a departure written. */
  readonly done: Promise<SupervisedOutcome>;
}

/**
 * Run a command as a supervised process group that a watchdog process kills if this supervisor dies, or if
 * the stop deadline passes without being moved (this process frozen or its event loop blocked), whatever
 * this process's own timers do. Shared by `baton run`, `baton lock` and `baton cell`.
 *
 * Limits, which only fencing covers: a descendant that leaves the group (`setsid`, daemonizing) escapes;
 * the supervisor, the watchdog and the worker frozen together (a VM pause) stop nobody; between the spawn
 * and the watchdog learning the group (one pipe write), only the parent-death signal guards the command.
 */
export function superviseCommand(options: SuperviseCommandOptions): SupervisedCommand {
  const { watchdog, deadline, log } = options;
  if (watchdog.lost.aborted) throw new WatchdogLostError('before the command started');
  const { prepared } = options;
  const child =
    prepared?.take() ??
    new SupervisedChild(options.command, options.args, {
      killGraceMs: options.killGraceMs,
      env: commandEnv(options.variables),
    });
  const pgid = child.pid;
  let stoppedBy: SupervisedOutcome['stoppedBy'];
  const stop = (reason: NonNullable<SupervisedOutcome['stoppedBy']>, signal?: NodeJS.Signals): void => {
    stoppedBy ??= reason;
    child.stop(signal).catch(() => undefined);
  };
  const onSignal = (): void => stop('signal');
  const onWatchdogLost = (): void => {
    log.error({ childPid: pgid }, 'watchdog lost: stopping the command');
    stop('watchdog-lost');
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });
  watchdog.lost.addEventListener('abort', onWatchdogLost, { once: true });
  let unsubscribe = (): void => undefined;
  if (pgid !== undefined) {
    watchdog.watch(pgid, deadline?.stopDeadline());
    if (deadline !== undefined) unsubscribe = deadline.onStopDeadline((ms) => watchdog.watch(pgid, ms));
  }
  if (options.signal?.aborted === true) onSignal();
  // Stopped already (gate closed by the stop) or watched: only now may the command itself start.
  else if (prepared !== undefined) child.open(prepared.gateVariables(options.variables));

  const done = child.stopped.then((exit) => {
    unsubscribe();
    options.signal?.removeEventListener('abort', onSignal);
    watchdog.lost.removeEventListener('abort', onWatchdogLost);
    if (pgid !== undefined && !watchdog.lost.aborted) watchdog.release(pgid);
    return { exit, stoppedBy };
  });
  return { pid: pgid, stop: (signal) => stop('signal', signal), done };
}
