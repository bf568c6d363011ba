import type { Command } from 'commander';
import type { KindDefinition } from '../../api/kinds.js';
import type { ConsulClient } from '../../consul/client.js';
import type { KvLayout } from '../../layout/kv-layout.js';
import type { RecordEntry } from '../../store/record-entry.js';
import { RecordStore } from '../../store/record-store.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { kindArgument, nameArgument } from '../kind-argument.js';
import { matchesSelector, parseLabelSelector, type LabelRequirement } from '../label-selector.js';
import { outputFormat, type OutputFormat } from '../output/output-format.js';
import { printRecords, printWatchEvent } from '../output/print-records.js';
import { aclHiddenHint, warnIfNoController } from '../status-warnings.js';
import { watchChanges } from '../watch-changes.js';
import { printLocks } from './get-locks.js';

interface GetOptions {
  readonly output?: string;
  readonly watch?: boolean;
  readonly headers: boolean;
  readonly selector?: string;
}

/** What `get` was asked, once its flags are parsed. */
export interface GetRequest {
  readonly name: string | undefined;
  readonly format: OutputFormat;
  readonly headers: boolean;
  readonly watch: boolean;
  readonly selector: readonly LabelRequirement[];
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description(
      'list records (singletons, cells) or lock keys (locks), or show one, with their reconciled status',
    )
    .argument('<type>', 'singletons, cells or locks')
    .argument('[name]', 'only this record')
    .option('-o, --output <format>', 'wide, name, json or yaml (default: a table)')
    .option('-w, --watch', 'after listing, print what changes, deletions included (Ctrl-C stops)')
    .option('--no-headers', 'print table rows without the header line')
    .option('-l, --selector <k=v,...>', 'only records whose labels match (k=v, k!=v; commas mean AND)')
    .action(async (type: string, name: string | undefined, options: GetOptions, command: Command) => {
      const request: GetRequest = {
        name,
        format: outputFormat(options.output),
        headers: options.headers,
        watch: options.watch === true,
        selector: options.selector === undefined ? [] : parseLabelSelector(options.selector),
      };
      const client = consulFromCommand(command);
      const layout = layoutFromCommand(command);
      if (type === 'locks' || type === 'lock') {
        process.exitCode = await printLocks(client, layout, request, command);
        return;
      }
      process.exitCode = await getRecords(client, layout, kindArgument(type), request, command);
    });
}

async function getRecords(
  client: ConsulClient,
  layout: KvLayout,
  kind: KindDefinition,
  request: GetRequest,
  command: Command,
): Promise<number> {
  const store = new RecordStore(client, kind, { root: layout.root });
  const { name } = request;
  const selected = (entries: readonly RecordEntry[]): RecordEntry[] =>
    entries.filter(
      (entry) =>
        (name === undefined || entry.name === name) &&
        matchesSelector(entry.record?.metadata.labels, request.selector),
    );
  const listing =
    name === undefined
      ? await client.kv.list(store.keys.prefix)
      : await client.kv.list(store.keys.recordPrefix(nameArgument(name)));
  const entries = selected(store.decode(listing.value));
  if (name !== undefined && entries.length === 0) {
    throw new CliError(`${kind.singular} "${name}" not found (list them with: baton get ${kind.plural})`);
  }
  for (const entry of entries) {
    if (entry.error !== undefined) {
      process.stderr.write(
        `baton: warning: ${kind.singular} "${entry.name}" is invalid: ${entry.error.path}: ${entry.error.message}\n`,
      );
    }
  }
  const hidden = entries.length === 0 ? aclHiddenHint(listing, command, store.keys.prefix) : undefined;
  if (hidden !== undefined && !request.watch) throw new CliError(hidden, ExitCode.permissionDenied);
  await warnIfNoController(client, layout);
  const tabular = request.format === 'table' || request.format === 'wide';
  let widths: number[] = [];
  if (hidden !== undefined) process.stderr.write(`Warning: ${hidden}\n`);
  else if (entries.length === 0 && tabular) process.stderr.write(`No ${kind.plural} found.\n`);
  if (request.watch && request.format === 'json') {
    for (const entry of entries) printWatchEvent(kind, 'ADDED', entry, 'json', []);
  } else if (entries.length > 0 || !tabular) {
    widths = printRecords(kind, entries, {
      format: request.format,
      single: name !== undefined,
      headers: request.headers,
    });
  }
  if (!request.watch) return ExitCode.ok;
  const byName = (list: readonly RecordEntry[]): Map<string, RecordEntry> =>
    new Map(list.map((entry) => [entry.name, entry]));
  await watchChanges({
    client,
    prefix: store.keys.prefix,
    objects: (raw) => byName(selected(store.decode(raw))),
    initial: byName(entries),
    same: (a, b) => a.specIndex === b.specIndex && a.statusIndex === b.statusIndex,
    onChange: (type, entry) => {
      printWatchEvent(kind, type, entry, request.format, widths);
    },
  });
  return ExitCode.ok;
}
