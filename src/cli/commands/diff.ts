import type { Command } from 'commander';
import { stringify } from 'yaml';
import { findKind, type BatonRecord } from '../../api/kinds.js';
import { planSpecWrite } from '../../store/plan-write.js';
import { RecordStore } from '../../store/record-store.js';
import { ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { loadManifests } from '../manifests/load-manifests.js';
import { lineDiff } from '../output/line-diff.js';

/** `baton diff` exits like `kubectl diff`: 0 nothing would change, 1 something would, 2 and up an error. */
const DIFF_FOUND = 1;

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('show what apply -f would change (exit 0: nothing, 1: differences, >1: error)')
    .requiredOption(
      '-f, --filename <path...>',
      'a manifest file, a directory of .yaml/.yml files, or - for stdin',
    )
    .action(async (options: { filename: string[] }, command: Command) => {
      // An invalid manifest must not read as "differences": it exits with the usage code.
      const records = await loadManifests(options.filename, ExitCode.usage);
      const client = consulFromCommand(command);
      const { root } = layoutFromCommand(command);
      let changed = false;
      for (const desired of records) {
        const kind = findKind(desired.kind);
        if (kind === undefined) continue; // validated by loadManifests
        const store = new RecordStore(client, kind, { root });
        const name = desired.metadata.name;
        const current = await store.get(name);
        const unpinned = { ...desired, metadata: { ...desired.metadata, resourceVersion: '' } };
        if (planSpecWrite(store.keys.spec(name), unpinned, current).action === 'unchanged') continue;
        changed = true;
        const id = `${kind.singular}/${name}`;
        const before = current === undefined ? [] : appliedLines(current.record);
        process.stdout.write(
          `--- ${id} (${current === undefined ? 'absent' : 'stored'})\n+++ ${id} (manifest)\n` +
            lineDiff(before, appliedLines(desired))
              .map((line) => `${line}\n`)
              .join(''),
        );
      }
      process.exitCode = changed ? DIFF_FOUND : ExitCode.ok;
    });
}

/** What apply writes of a record (labels, annotations, spec) as YAML lines; an invalid record as a note. */
function appliedLines(record: BatonRecord | undefined): string[] {
  if (record === undefined) return ['# the stored record is invalid'];
  const { labels, annotations } = record.metadata;
  return stringify({ metadata: { labels, annotations }, spec: record.spec }).trimEnd().split('\n');
}
