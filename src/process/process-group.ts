import { readdirSync, readFileSync } from 'node:fs';

/**
 * A worker is a process group: the command Baton starts leads a new group, and everything it forks stays in
 * that group unless it leaves on purpose (`setsid`, daemonizing), which no supervisor can follow.
 * "Stopped" means no live member is left, not that the direct child exited.
 *
 * Only node builtins here: the watchdog process imports this file too.
 */

/** Send `signal` to every member of the group; false if the group has no member left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error: unknown) {
    // EPERM: a member we may not signal still exists (setuid); ESRCH: nobody left.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the group still has a member that can act. Zombies (exited, not yet reaped) do not count: an
 * orphaned grandchild is reaped by init whenever init gets to it, which in a container can take seconds.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const members = liveMembersFromProc(pgid);
  // No /proc (not Linux): the kernel's answer, zombies included, is the best we have.
  return members === undefined ? true : members > 0;
}

function liveMembersFromProc(pgid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let live = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat?.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') live += 1;
  }
  return live;
}

export interface ProcStat {
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
}

/** `/proc/PID/stat`: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses. */
export function readStat(pid: number | string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we listed, or no /proc
  }
  const [state, ppid, pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (state === undefined || ppid === undefined || pgrp === undefined) return undefined;
  return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

/** Whether one process can still act (exists and is not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return readStat(pid)?.state !== 'Z';
}

/**
 * Resolve once the group has no live member. `resend` names the signal to repeat on every poll (0: only
 * watch), so a member forked after an earlier signal gets it too. It waits as long as a member lives, on
 * purpose: releasing the lock while one still runs would break exclusivity, so a member that cannot be
 * killed (another user's setuid child) keeps the lock held.
 */
export async function groupGone(
  pgid: number,
  resend: NodeJS.Signals | 0 | (() => NodeJS.Signals | 0),
  pollMs = 20,
): Promise<void> {
  while (groupAlive(pgid)) {
    const signal = typeof resend === 'function' ? resend() : resend;
    if (signal !== 0) signalGroup(pgid, signal);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
