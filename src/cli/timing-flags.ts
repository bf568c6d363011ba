import type { Command } from 'commander';
import { SINGLETON_DEFAULTS } from '../singleton/defaults.js';
import { formatDurationMs } from '../time/duration.js';
import type { TimingProfile } from '../api/timing-profile.js';
import { addDurationFlags, parseDurationFlag, type DurationFlag } from './duration-flag.js';

/**
 * The timing profile's flags (`run`, `lock`, `controller`). They took durations from the start, so a bare
 * number has no old meaning and is refused; the safety budget (`checkTiming`) judges the values.
 */
const FLAGS: Readonly<Record<keyof TimingProfile, DurationFlag>> = {
  checkTtlMs: { name: '--check-ttl', description: 'TTL of the heartbeat check', minMs: 0 },
  lockDelayMs: { name: '--lock-delay', description: 'Consul lock-delay after a hard death', minMs: 0 },
  confirmIntervalMs: {
    name: '--confirm-interval',
    description: 'heartbeat and server confirmation interval',
    minMs: 0,
  },
  killGraceMs: {
    name: '--kill-grace',
    description: 'time between SIGTERM and SIGKILL of the child',
    minMs: 0,
  },
};

/** Commander's option key of a flag: `--check-ttl` -> `checkTtl`. */
function optionKey(flag: DurationFlag): string {
  return flag.name.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Add the timing flags to a command; the help shows each default from `SINGLETON_DEFAULTS.timing`. */
export function addTimingFlags(command: Command): Command {
  const described = Object.entries(FLAGS).map(([field, flag]) => {
    const fallback = formatDurationMs(SINGLETON_DEFAULTS.timing[field as keyof TimingProfile]);
    return { ...flag, description: `${flag.description} (default ${fallback})` };
  });
  return addDurationFlags(command, described);
}

/** Read the timing flags given on the command line; a malformed duration is a usage error. */
export function readTimingFlags(options: Record<string, unknown>): Partial<TimingProfile> {
  const timing: Partial<Record<keyof TimingProfile, number>> = {};
  for (const [field, flag] of Object.entries(FLAGS) as [keyof TimingProfile, DurationFlag][]) {
    const raw = options[optionKey(flag)];
    if (typeof raw === 'string') timing[field] = parseDurationFlag(flag, raw);
  }
  return timing;
}
