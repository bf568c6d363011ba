import type { Command } from 'commander';
import { CasConflictError } from '../../consul/errors.js';
import { ApplyConflictError, commitApply, planApply } from '../../store/apply-records.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { loadManifests } from '../manifests/load-manifests.js';

interface ApplyOptions {
  readonly filename: string[];
  readonly dryRun?: boolean;
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description(
      'create or update records from YAML manifests: all validated first, then written all or nothing',
    )
    .requiredOption(
      '-f, --filename <path...>',
      'a manifest file, a directory of .yaml/.yml files, or - for stdin',
    )
    .option('--dry-run', 'validate and show what would change, write nothing')
    .action(async (options: ApplyOptions, command: Command) => {
      const all = await loadManifests(options.filename);
      const client = consulFromCommand(command);
      const { root } = layoutFromCommand(command);
      try {
        const plan = await planApply(client, all, { root });
        const outcomes =
          options.dryRun === true ? plan.items.map((item) => item.outcome) : await commitApply(client, plan);
        const suffix = options.dryRun === true ? ' (dry run)' : '';
        for (const outcome of outcomes) {
          process.stdout.write(`${outcome.kind.toLowerCase()}/${outcome.name} ${outcome.action}${suffix}\n`);
        }
      } catch (error: unknown) {
        if (error instanceof ApplyConflictError)
          throw new CliError(error.message, ExitCode.failure, { cause: error });
        if (error instanceof CasConflictError) {
          throw new CliError(
            `${error.key} is no longer at resourceVersion ${error.expectedIndex}; nothing was written: ` +
              'drop metadata.resourceVersion from the manifest or re-read the record',
            ExitCode.failure,
            { cause: error },
          );
        }
        throw error;
      }
    });
}
