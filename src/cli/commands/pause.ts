import type { Command } from 'commander';
import { SingletonKind } from '../../api/kinds.js';
import { API_VERSION } from '../../api/metadata.js';
import type { Singleton } from '../../api/singleton.js';
import { CasConflictError } from '../../consul/errors.js';
import { RecordStore } from '../../store/record-store.js';
import { CliError } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { nameArgument } from '../kind-argument.js';

/** CAS retries when the record changes between our read and our write (the controller writes status only). */
const ATTEMPTS = 5;

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

/** Set `spec.paused` through the record store: a CAS on the spec key, retried on a concurrent change. */
async function setPaused(command: Command, name: string, paused: boolean): Promise<void> {
  const store = new RecordStore(consulFromCommand(command), SingletonKind, {
    root: layoutFromCommand(command).root,
    consistency: 'consistent',
  });
  for (let attempt = 1; ; attempt++) {
    const entry = await store.get(name);
    if (entry !== undefined && entry.record === undefined) {
      throw new CliError(
        `singleton "${name}" is invalid (${entry.error.path}): fix it with baton apply first`,
      );
    }
    if (entry === undefined && !paused) {
      throw new CliError(
        `singleton "${name}" not found: nothing to resume (list them with: baton get singletons)`,
      );
    }
    const record: Singleton = entry?.record ?? {
      apiVersion: API_VERSION,
      kind: 'Singleton',
      metadata: { name, generation: 0, resourceVersion: '', labels: {}, annotations: {} },
      spec: { paused },
    };
    const desired: Singleton = {
      ...record,
      metadata: { ...record.metadata, resourceVersion: entry === undefined ? '' : String(entry.specIndex) },
      spec: { ...record.spec, paused },
    };
    try {
      const { action } = await store.applySpec(desired);
      const verb = paused ? 'paused' : 'resumed';
      const note = action === 'created' ? ' (record created)' : action === 'unchanged' ? ' (already)' : '';
      process.stdout.write(`singleton/${name} ${verb}${note}\n`);
      return;
    } catch (error: unknown) {
      if (!(error instanceof CasConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
