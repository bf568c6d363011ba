import type { Command } from 'commander';
import { CellKind, SingletonKind } from '../../api/kinds.js';
import { RecordNotFoundError } from '../../store/errors.js';
import { RecordStore } from '../../store/record-store.js';
import { CliError } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { kindArgument, nameArgument } from '../kind-argument.js';

export function registerDelete(program: Command): void {
  program
    .command('delete')
    .description(
      'delete a record (spec and status); running candidates and cells are not stopped (the controller writes a live ' +
        "cell's record again; pause a singleton first)",
    )
    .argument('<type>', 'singleton or cell')
    .argument('<name>', 'the record name')
    .action(async (type: string, name: string, _options: unknown, command: Command) => {
      const kind = kindArgument(type, [SingletonKind, CellKind]);
      try {
        await new RecordStore(consulFromCommand(command), kind, {
          root: layoutFromCommand(command).root,
        }).delete(nameArgument(name));
      } catch (error: unknown) {
        if (error instanceof RecordNotFoundError) {
          throw new CliError(
            `${kind.singular} "${name}" not found (list them with: baton get ${kind.plural})`,
          );
        }
        throw error;
      }
      process.stdout.write(`${kind.singular}/${name} deleted\n`);
    });
}
