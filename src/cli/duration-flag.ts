import type { Command } from 'commander';
import { formatDurationMs, parseDurationMs } from '../time/duration.js';
import { CliError, ExitCode } from './exit.js';

/**
 * A time flag. Every time flag of every command takes the one duration syntax of `parseDurationMs`
 * (`250ms`, `1.5s`, `2m`, `24h`, `1h30m`; `0` alone needs no unit).
 */
export interface DurationFlag {
  /** The flag, e.g. `--check-ttl`. */
  readonly name: string;
  readonly description: string;
  /** Shown in the help as a duration and used when the flag is absent. @default none: the flag is optional */
  readonly defaultMs?: number;
  /**
   * The unit a bare number was read in before this flag took a duration (`cell --check-ttl 1500` was ms,
   * `controller --resync 30` seconds): such a number is still accepted, read in that unit, with a warning,
   * so old scripts keep working. @default none: a bare number is a usage error (it never had a meaning)
   */
  readonly bareNumberUnit?: 'ms' | 's';
  /** The smallest value accepted, in milliseconds. @default 1: the duration must be positive */
  readonly minMs?: number;
}

const UNIT_MS = { ms: 1, s: 1_000 } as const;
const BARE_NUMBER = /^\d+(?:\.\d+)?$/;

/** Declare time flags on a command: `<name> <duration>`, each default shown (and given) as a duration. */
export function addDurationFlags(
  command: Command,
  flags: readonly DurationFlag[] | Readonly<Record<string, DurationFlag>>,
): Command {
  for (const flag of Object.values(flags)) {
    if (flag.defaultMs === undefined) command.option(`${flag.name} <duration>`, flag.description);
    else command.option(`${flag.name} <duration>`, flag.description, formatDurationMs(flag.defaultMs));
  }
  return command;
}

/**
 * Read a time flag's text as milliseconds. A malformed or too small value is a usage error (exit 2, one
 * line); a bare number where the flag once took one is read in its old unit, with a one-line warning.
 */
export function parseDurationFlag(
  flag: DurationFlag,
  text: string,
  warn: (line: string) => void = (line) => process.stderr.write(line),
): number {
  const trimmed = text.trim();
  let ms = parseDurationMs(trimmed);
  if (ms === undefined && flag.bareNumberUnit !== undefined && BARE_NUMBER.test(trimmed)) {
    ms = Math.round(Number(trimmed) * UNIT_MS[flag.bareNumberUnit]);
    warn(
      `baton: warning: ${flag.name} ${trimmed} has no unit, read as ${trimmed}${flag.bareNumberUnit}; ` +
        `write ${formatDurationMs(ms)} (bare numbers are deprecated)\n`,
    );
  }
  if (ms === undefined) {
    throw new CliError(
      `${flag.name} takes a duration such as 250ms, 1.5s or 2m, got "${text}"`,
      ExitCode.usage,
    );
  }
  const minMs = flag.minMs ?? 1;
  if (ms < minMs) {
    const least = minMs === 1 ? 'more than 0' : `at least ${formatDurationMs(minMs)}`;
    throw new CliError(`${flag.name} must be ${least}, got "${text}"`, ExitCode.usage);
  }
  return ms;
}
