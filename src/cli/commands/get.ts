import type { Command } from 'commander';
import { stringify } from 'yaml';
import { API_VERSION } from '../../api/metadata.js';
import type { BatonRecord, KindDefinition } from '../../api/kinds.js';
import { PrefixInformer } from '../../cache/prefix-informer.js';
import type { ConsulClient } from '../../consul/client.js';
import type { RecordEntry } from '../../store/record-entry.js';
import { RecordStore } from '../../store/record-store.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { kindArgument, nameArgument } from '../kind-argument.js';
import { columnsFor } from '../output/record-columns.js';
import { columnWidths, renderTable } from '../output/table.js';
import { listLocks, renderLocks } from '../output/locks-table.js';
import type { LockKeys } from '../../layout/lock-keys.js';

const FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
type Format = (typeof FORMATS)[number];

interface GetOptions {
  readonly output?: string;
  readonly watch?: boolean;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description(
      'list records (singletons, cells) or lock keys (locks), or show one, with their reconciled status',
    )
    .argument('<type>', 'singletons, cells or locks')
    .argument('[name]', 'only this record')
    .option('-o, --output <format>', 'wide, json or yaml (default: a table)')
    .option('-w, --watch', 'after listing, print records again as they change (Ctrl-C stops)')
    .action(async (type: string, name: string | undefined, options: GetOptions, command: Command) => {
      if (type === 'locks' || type === 'lock') {
        await printLocks(
          consulFromCommand(command),
          layoutFromCommand(command).locks,
          name,
          outputFormat(options.output),
        );
        return;
      }
      const kind = kindArgument(type);
      const format = outputFormat(options.output);
      const client = consulFromCommand(command);
      const store = new RecordStore(client, kind, { root: layoutFromCommand(command).root });
      const entries =
        name === undefined
          ? (await store.list()).value
          : [await store.get(nameArgument(name))].filter((e) => e !== undefined);
      if (name !== undefined && entries.length === 0) {
        throw new CliError(`${kind.singular} "${name}" not found (list them with: baton get ${kind.plural})`);
      }
      const widths = print(kind, entries, format, name !== undefined, true);
      if (options.watch === true) await watch(client, store, format, name, widths);
    });
}

function outputFormat(text: string | undefined): Format {
  if (text === undefined) return 'table';
  if ((FORMATS as readonly string[]).includes(text)) return text as Format;
  throw new CliError(`-o must be one of wide, json, yaml; got "${text}"`, ExitCode.usage);
}

function print(
  kind: KindDefinition,
  entries: readonly RecordEntry[],
  format: Format,
  single: boolean,
  header: boolean,
  minWidths: readonly number[] = [],
): number[] {
  for (const entry of entries) {
    if (entry.error !== undefined) {
      process.stderr.write(
        `baton: warning: ${kind.singular} "${entry.name}" is invalid: ${entry.error.path}: ${entry.error.message}\n`,
      );
    }
  }
  if (format === 'json' || format === 'yaml') {
    const items = entries.flatMap((entry) => (entry.record === undefined ? [] : [entry.record]));
    const document =
      single && items.length === 1 ? items[0] : { apiVersion: API_VERSION, kind: 'List', items };
    process.stdout.write(format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document));
    return [];
  }
  if (entries.length === 0) {
    if (header) process.stderr.write(`No ${kind.plural} found.\n`);
    return [...minWidths];
  }
  const columns = columnsFor(kind.kind);
  const wide = format === 'wide';
  const headers = columns.headers(wide);
  const rows = entries.map((entry) => columns.row(entry, wide, new Date()));
  const table = renderTable(headers, rows, minWidths);
  process.stdout.write(header ? table : table.slice(table.indexOf('\n') + 1));
  return columnWidths(headers, rows, minWidths);
}

/** Print the records that change, as they change, until SIGINT/SIGTERM. */
async function watch(
  client: ConsulClient,
  store: RecordStore<BatonRecord>,
  format: Format,
  name: string | undefined,
  widths: readonly number[],
): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => {
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const informer = new PrefixInformer({ client, prefix: store.keys.prefix });
  let first = true;
  informer.onChange((changes) => {
    if (first) {
      first = false; // the initial list was printed already
      return;
    }
    const changed = new Set(changes.flatMap((change) => store.keys.parse(change.key)?.name ?? []));
    const entries = store
      .decode(informer.snapshot().values())
      .filter((entry) => changed.has(entry.name) && (name === undefined || entry.name === name));
    print(store.kind, entries, format, false, false, widths);
  });
  try {
    await informer.run(abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `baton get locks`: who holds each lock key right now (read straight from Consul, no controller needed). */
async function printLocks(
  client: ConsulClient,
  locks: LockKeys,
  name: string | undefined,
  format: Format,
): Promise<void> {
  const rows = (await listLocks(client, locks)).filter((row) => name === undefined || row.name === name);
  if (name !== undefined && rows.length === 0)
    throw new CliError(`no lock named "${name}" (list them with: baton get locks)`);
  if (format === 'json' || format === 'yaml') {
    process.stdout.write(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : stringify(rows));
    return;
  }
  if (rows.length === 0) {
    process.stderr.write('No locks found.\n');
    return;
  }
  process.stdout.write(renderLocks(rows, new Date()));
}
