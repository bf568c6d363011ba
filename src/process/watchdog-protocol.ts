/**
 * The watchdog's wire protocol: newline-delimited commands on its stdin, replies on its stdout.
 * Deadlines are absolute CLOCK_MONOTONIC nanoseconds (`process.hrtime.bigint()`), which every process on
 * the host shares, so no message carries a duration that a stalled sender could make stale.
 *
 * Only node builtins here: the watchdog process imports this file too.
 */

export type WatchdogCommand =
  /** Watch a group; SIGKILL it at `deadlineNs` unless moved (undefined: only on supervisor death). */
  | { readonly verb: 'watch'; readonly pgid: number; readonly deadlineNs: bigint | undefined }
  /** The group is empty (the supervisor saw it): forget it. */
  | { readonly verb: 'release'; readonly pgid: number };

export type WatchdogReply =
  | { readonly verb: 'ready' }
  /** The deadline passed: the watchdog SIGKILLed the group. */
  | { readonly verb: 'fired'; readonly pgid: number };

export function formatCommand(command: WatchdogCommand): string {
  if (command.verb === 'release') return `release ${command.pgid}\n`;
  return `watch ${command.pgid} ${command.deadlineNs === undefined ? 'none' : command.deadlineNs.toString()}\n`;
}

export function parseCommand(line: string): WatchdogCommand | undefined {
  const [verb, pgidText, deadlineText] = line.trim().split(' ');
  const pgid = Number(pgidText);
  if (!Number.isInteger(pgid) || pgid <= 1) return undefined;
  if (verb === 'release') return { verb, pgid };
  if (verb !== 'watch' || deadlineText === undefined) return undefined;
  if (deadlineText === 'none') return { verb, pgid, deadlineNs: undefined };
  return /^\d+$/.test(deadlineText) ? { verb, pgid, deadlineNs: BigInt(deadlineText) } : undefined;
}

export function formatReply(reply: WatchdogReply): string {
  return reply.verb === 'ready' ? 'ready\n' : `fired ${reply.pgid}\n`;
}

export function parseReply(line: string): WatchdogReply | undefined {
  const [verb, pgidText] = line.trim().split(' ');
  if (verb === 'ready') return { verb };
  const pgid = Number(pgidText);
  return verb === 'fired' && Number.isInteger(pgid) ? { verb, pgid } : undefined;
}
