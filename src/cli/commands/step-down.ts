import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { STEP_DOWN_DEFAULTS } from '../../singleton/defaults.js';
import { stepDown } from '../../singleton/step-down.js';
import { formatDurationMs } from '../../time/duration.js';
import { addDurationFlags, parseDurationFlag, type DurationFlag } from '../duration-flag.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';

interface StepDownFlags {
  reason: string;
  wait: string;
}

/** `--wait` once took bare seconds: such a number is still read so, with a warning. */
const TIME_FLAGS = {
  wait: {
    name: '--wait',
    description: 'wait this long for another holder (0: do not wait)',
    defaultMs: STEP_DOWN_DEFAULTS.waitMs,
    bareNumberUnit: 's',
    minMs: 0,
  },
} as const satisfies Record<string, DurationFlag>;

export function registerStepDown(program: Command): void {
  const command = program
    .command('step-down')
    .description('ask the current worker of a singleton to hand over cleanly now (audited with a reason)')
    .argument('<name>', 'singleton name')
    .requiredOption('--reason <text>', 'why, recorded in the event log');
  addDurationFlags(command, TIME_FLAGS).action(
    async (name: string, flags: StepDownFlags, command: Command) => {
      process.exitCode = await runStepDown(name, flags, command);
    },
  );
}

/** The library's `stepDown`, with the operator's words: what it asked, and who holds the singleton now. */
async function runStepDown(name: string, flags: StepDownFlags, command: Command): Promise<number> {
  const waitMs = parseDurationFlag(TIME_FLAGS.wait, flags.wait);
  const options = {
    reason: flags.reason,
    waitMs,
    root: layoutFromCommand(command).root,
  };
  let result;
  try {
    result = await stepDown(consulFromCommand(command), name, options);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new CliError(error.message, ExitCode.usage, { cause: error });
    throw error;
  }
  const { asked, outcome, next } = result;
  process.stdout.write(`asked ${asked.holder?.identity ?? asked.session} to step down from ${name}\n`);
  if (outcome === 'handed-over') {
    const now = next === undefined ? undefined : (next.holder?.identity ?? next.session);
    process.stdout.write(`${name} is now held by ${now ?? 'nobody (candidates may still be starting)'}\n`);
  }
  if (outcome !== 'still-held') return ExitCode.ok;
  throw new CliError(
    `the holder of ${name} did not step down within ${formatDurationMs(waitMs)} ` +
      '(is it running baton >= this version?)',
  );
}
