import type { Command } from 'commander';
import { RecordStore } from '../../store/record-store.js';
import { CliError } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { kindArgument, nameArgument } from '../kind-argument.js';
import { describeRecord } from '../output/describe-record.js';
import { recentEvents } from '../output/recent-events.js';

export function registerDescribe(program: Command): void {
  program
    .command('describe')
    .description('show one record in full: spec, status, holder, fencing token and conditions')
    .argument('<type>', 'singleton or cell')
    .argument('<name>', 'the record name')
    .action(async (type: string, name: string, _options: unknown, command: Command) => {
      const kind = kindArgument(type);
      const { root } = layoutFromCommand(command);
      const entry = await new RecordStore(consulFromCommand(command), kind, { root }).get(nameArgument(name));
      if (entry === undefined) {
        throw new CliError(`${kind.singular} "${name}" not found (list them with: baton get ${kind.plural})`);
      }
      process.stdout.write(describeRecord(kind.kind, entry, new Date()));
      process.stdout.write(await recentEvents(consulFromCommand(command), root, kind.kind, entry.name));
    });
}
