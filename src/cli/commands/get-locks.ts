import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { ConsulClient } from '../../consul/client.js';
import type { KvLayout } from '../../layout/kv-layout.js';
import { LockKeys } from '../../layout/lock-keys.js';
import { CliError, ExitCode } from '../exit.js';
import { listLocks, lockWidths, renderLocks, type LockRow } from '../output/locks-table.js';
import { jsonLine, type WatchEventType } from '../output/output-format.js';
import { aclHiddenHint } from '../status-warnings.js';
import { watchChanges } from '../watch-changes.js';
import type { GetRequest } from './get.js';

/**
 * `baton get locks`: who holds each lock key right now, read straight from Consul (no controller needed);
 * with `--watch`, every lock that changes hands, is freed or is deleted afterwards.
 */
export async function printLocks(
  client: ConsulClient,
  layout: KvLayout,
  request: GetRequest,
  command: Command,
): Promise<number> {
  if (request.selector.length > 0)
    throw new CliError('locks have no labels: -l applies to records', ExitCode.usage);
  const { name, format } = request;
  const mine = (rows: readonly LockRow[]): Map<string, LockRow> =>
    new Map(rows.filter((row) => name === undefined || row.name === name).map((row) => [lockId(row), row]));
  const { value: raw, ...listing } = await client.kv.list(layout.locks.prefix, { consistency: 'consistent' });
  const rows = [...mine(await listLocks(client, layout.locks)).values()];
  if (name !== undefined && rows.length === 0 && !request.watch)
    throw new CliError(`no lock named "${name}" (list them with: baton get locks)`);
  const hidden = raw.length === 0 ? aclHiddenHint(listing, command, layout.locks.prefix) : undefined;
  if (hidden !== undefined && !request.watch) throw new CliError(hidden, ExitCode.permissionDenied);
  const widths = lockWidths(rows, new Date());
  const print = (type: WatchEventType | undefined, changed: readonly LockRow[]): void => {
    if (format === 'json') {
      if (type === undefined) process.stdout.write(`${JSON.stringify(changed, null, 2)}\n`);
      else for (const row of changed) process.stdout.write(jsonLine(type, row));
    } else if (format === 'yaml') {
      process.stdout.write(
        type === undefined ? stringify(changed) : `---\n${stringify({ type, object: changed[0] })}`,
      );
    } else if (format === 'name') {
      process.stdout.write(
        changed.map((row) => `lock/${lockId(row)}${type === 'DELETED' ? ' deleted' : ''}\n`).join(''),
      );
    } else {
      const shown = type === 'DELETED' ? changed.map((row) => ({ ...row, holder: '<deleted>' })) : changed;
      const table = renderLocks(shown, new Date(), widths);
      process.stdout.write(
        type === undefined && request.headers ? table : table.slice(table.indexOf('\n') + 1),
      );
    }
  };
  if (request.watch && format === 'json') for (const row of rows) print('ADDED', [row]);
  else if (rows.length > 0 || !(format === 'table' || format === 'wide')) print(undefined, rows);
  else process.stderr.write(hidden === undefined ? 'No locks found.\n' : `Warning: ${hidden}\n`);
  if (!request.watch) return ExitCode.ok;
  await watchChanges({
    client,
    prefix: layout.locks.prefix,
    objects: async () => mine(await listLocks(client, layout.locks)),
    initial: mine(rows),
    same: (a, b) => JSON.stringify(a) === JSON.stringify(b),
    onChange: (type, row) => {
      print(type, [row]);
    },
  });
  return ExitCode.ok;
}

/** How `-o name` and watch events name a lock: the singleton, or `exclusive/<resource>`. */
function lockId(row: LockRow): string {
  return LockKeys.display({ kind: row.kind === 'singleton' ? 'singleton' : 'resource', name: row.name });
}
