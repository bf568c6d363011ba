/**
 * The watchdog: a separate process that enforces a worker's stop deadline even when the supervisor cannot
 * (SIGSTOP, a debugger attached, an event loop blocked past the budget, SIGKILL). It depends on nothing but
 * its own event loop and the kernel:
 * - each watched process group has an absolute CLOCK_MONOTONIC deadline; when it passes without being moved,
 *   the whole group gets SIGKILL;
 * - when stdin reaches EOF (the supervisor died, even by SIGKILL), every watched group gets SIGKILL at once,
 *   and the watchdog exits only when they are empty;
 * - it ignores SIGINT/SIGTERM/SIGHUP: a terminal's Ctrl-C reaches the whole foreground group, and the
 *   watchdog must outlive the supervisor to do its job.
 *
 * Limits: a grandchild that leaves the process group (setsid, daemonizing) escapes; the whole tree frozen
 * together (supervisor, watchdog and worker, as in a VM pause) is protected only by fencing.
 */
import { createInterface } from 'node:readline';
import { groupGone, signalGroup } from './process-group.js';
import { formatReply, parseCommand, type WatchdogReply } from './watchdog-protocol.js';

const watched = new Map<number, NodeJS.Timeout | undefined>();

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
// The supervisor may be gone: a reply that cannot be delivered is not an error.
process.stdout.on('error', () => undefined);

function reply(message: WatchdogReply): void {
  process.stdout.write(formatReply(message));
}

function log(msg: string, fields: Record<string, unknown>): void {
  const line = { level: 50, time: Date.now(), pid: process.pid, name: 'baton-watchdog', ...fields, msg };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

function watch(pgid: number, deadlineNs: bigint | undefined): void {
  clearTimeout(watched.get(pgid));
  watched.set(pgid, deadlineNs === undefined ? undefined : schedule(pgid, deadlineNs));
}

function schedule(pgid: number, deadlineNs: bigint): NodeJS.Timeout {
  const remainingMs = Number(deadlineNs - process.hrtime.bigint()) / 1e6;
  return setTimeout(
    () => {
      // Timers may fire a little early on some platforms: only the monotonic clock decides.
      if (process.hrtime.bigint() < deadlineNs) {
        watched.set(pgid, schedule(pgid, deadlineNs));
        return;
      }
      watched.set(pgid, undefined);
      log('stop deadline passed without confirmation: killing the worker group', { pgid });
      signalGroup(pgid, 'SIGKILL');
      reply({ verb: 'fired', pgid });
      void groupGone(pgid, 'SIGKILL');
    },
    Math.max(0, remainingMs),
  );
}

function release(pgid: number): void {
  clearTimeout(watched.get(pgid));
  watched.delete(pgid);
}

async function supervisorGone(): Promise<void> {
  const groups = [...watched.keys()];
  for (const pgid of groups) {
    release(pgid);
    if (signalGroup(pgid, 'SIGKILL')) log('supervisor gone: killing the worker group', { pgid });
  }
  await Promise.all(groups.map((pgid) => groupGone(pgid, 'SIGKILL')));
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = parseCommand(line);
  if (command === undefined) log('unreadable command ignored', { line });
  else if (command.verb === 'watch') watch(command.pgid, command.deadlineNs);
  else release(command.pgid);
});
lines.on('close', () => void supervisorGone());
reply({ verb: 'ready' });
