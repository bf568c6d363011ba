import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { forceReleaseLock } from '../../singleton/force-release.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';

interface ForceReleaseFlags {
  readonly reason: string;
  readonly force?: boolean;
}

export function registerForceReleaseLock(program: Command): void {
  program
    .command('force-release-lock')
    .description(
      "release a stuck lock by destroying its holder's session (audited in the singletons event stream); " +
        'refuses while that session is alive unless --force. Exit 0 released or not held, 1 refused',
    )
    .argument('<lock>', 'a singleton name, or exclusive/RESOURCE (as baton get locks names them)')
    .requiredOption('--reason <text>', 'why, recorded in the event log')
    .option('--force', "destroy the holder's session even though it is alive (its worker is fenced off)")
    .action(async (lock: string, flags: ForceReleaseFlags, command: Command) => {
      await forceRelease(lock, flags, command);
    });
}

/** The library's `forceReleaseLock`, with the operator's words for each outcome. */
async function forceRelease(lock: string, flags: ForceReleaseFlags, command: Command): Promise<void> {
  const options = {
    reason: flags.reason,
    ...(flags.force === undefined ? {} : { force: flags.force }),
    root: layoutFromCommand(command).root,
  };
  let result;
  try {
    result = await forceReleaseLock(consulFromCommand(command), lock, options);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new CliError(error.message, ExitCode.usage, { cause: error });
    throw error;
  }
  switch (result.outcome) {
    case 'no-key':
      throw new CliError(`no lock key ${result.key} (list them with: baton get locks)`);
    case 'not-held':
      process.stdout.write(`lock ${lock} is not held; nothing to release\n`);
      return;
    case 'alive':
      throw new CliError(
        `lock ${lock} is held by ${result.holder ?? 'an unknown holder'} whose session ${result.session} is ` +
          `alive: hand it over cleanly with baton step-down ${lock}, or add --force to destroy the session`,
      );
    case 'released':
      process.stdout.write(
        `lock ${lock} released: destroyed session ${result.session} of ${result.holder ?? 'an unknown holder'} ` +
          `(token ${result.fencingToken})\n`,
      );
  }
}
