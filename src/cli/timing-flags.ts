import type { Command } from 'commander';
import { parseDurationMs } from '../timing/duration.js';
import type { TimingProfile } from '../timing/safety-budget.js';
import { CliError, ExitCode } from './exit.js';

const FLAGS = {
  checkTtl: ['--check-ttl <duration>', 'TTL of the heartbeat check (default 1s)', 'checkTtlMs'],
  lockDelay: [
    '--lock-delay <duration>',
    'Consul lock-delay after a hard death (default 1.2s)',
    'lockDelayMs',
  ],
  confirmInterval: [
    '--confirm-interval <duration>',
    'heartbeat and server confirmation interval (default 200ms)',
    'confirmIntervalMs',
  ],
  killGrace: [
    '--kill-grace <duration>',
    'time between SIGTERM and SIGKILL of the child (default 500ms)',
    'killGraceMs',
  ],
} as const;

/** Add the timing flags to a command. */
export function addTimingFlags(command: Command): Command {
  for (const [flag, description] of Object.values(FLAGS)) command.option(flag, description);
  return command;
}

/** Read the timing flags given on the command line; a malformed duration is a usage error. */
export function readTimingFlags(options: Record<string, unknown>): Partial<TimingProfile> {
  const timing: Partial<Record<keyof TimingProfile, number>> = {};
  for (const [name, [flag, , field]] of Object.entries(FLAGS)) {
    const raw = options[name];
    if (raw === undefined) continue;
    const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
    if (ms === undefined) {
      throw new CliError(
        `${flag.split(' ')[0] ?? flag} takes a duration such as 250ms or 1.5s, got ${JSON.stringify(raw)}`,
        ExitCode.usage,
      );
    }
    timing[field] = ms;
  }
  return timing;
}
