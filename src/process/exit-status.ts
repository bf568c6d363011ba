import { constants } from 'node:os';

/** How a direct child ended: an exit code, or the signal that killed it. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Shell convention: a child killed by a signal exits 128 + the signal number. */
export function exitCodeOf(exit: ChildExit): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal === null ? 0 : constants.signals[exit.signal]);
}

/** Signals a supervisor (systemd, monit, a terminal) sends to ask a process to stop cleanly. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Whether a workload ended as asked rather than crashed: exit 0, or death by SIGTERM/SIGINT, whether
 * reported as the signal or, through a shell or a runtime that re-raises it, as 128 + its number
 * (143, 130). SIGKILL (137), other signals and other non-zero codes are crashes.
 */
export function endedCleanly(exit: ChildExit): boolean {
  const code = exitCodeOf(exit);
  return code === 0 || STOP_SIGNALS.some((signal) => code === 128 + constants.signals[signal]);
}
