import type { Command } from 'commander';
import { InvalidStateError } from '../../errors.js';
import { setSingletonPaused } from '../../singleton/pause.js';
import { RecordNotFoundError } from '../../store/errors.js';
import { CliError } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { nameArgument } from '../kind-argument.js';

export function registerPauseResume(program: Command): void {
  program
    .command('pause')
    .description(
      'pause a singleton: its worker stands down cleanly and nobody acquires (creates the record if missing)',
    )
    .argument('<name>', 'singleton name')
    .action(async (name: string, _options: unknown, command: Command) => {
      await setPaused(command, nameArgument(name), true);
    });
  program
    .command('resume')
    .description('resume a paused singleton: candidates may acquire it again')
    .argument('<name>', 'singleton name')
    .action(async (name: string, _options: unknown, command: Command) => {
      await setPaused(command, nameArgument(name), false);
    });
}

/** The library's `setSingletonPaused`, with the operator's words and hints. */
async function setPaused(command: Command, name: string, paused: boolean): Promise<void> {
  const root = layoutFromCommand(command).root;
  let action;
  try {
    ({ action } = await setSingletonPaused(consulFromCommand(command), name, paused, { root }));
  } catch (error: unknown) {
    if (error instanceof InvalidStateError) {
      throw new CliError(`${error.message} (baton apply)`, undefined, { cause: error });
    }
    if (error instanceof RecordNotFoundError) {
      throw new CliError(
        `singleton "${name}" not found: nothing to resume (list them with: baton get singletons)`,
        undefined,
        { cause: error },
      );
    }
    throw error;
  }
  const verb = paused ? 'paused' : 'resumed';
  const note = action === 'created' ? ' (record created)' : action === 'unchanged' ? ' (already)' : '';
  process.stdout.write(`singleton/${name} ${verb}${note}\n`);
}
