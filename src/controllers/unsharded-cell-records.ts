import type { ConsulClient } from '../consul/client.js';
import type { TxnOp } from '../consul/txn.js';
import type { RecordKeys } from '../layout/record-keys.js';

/** Deletes per transaction (well inside Consul's limit on a transaction's operations). */
const BATCH = 64;

/**
 * `Cell` records written before records were sharded (`<root>/cells/<name>/{spec,status}`) lie outside
 * today's layout: no informer reads them and `baton get cells` does not show them. They are derived data
 * (the controller writes every live cell's record anew in its shard), so the active controller deletes them
 * once when it starts and returns how many records it removed. One keys-only read of the kind's first level
 * finds them: every folder there that is not a shard is an old record. (An old record of a cell named like
 * a shard, `00` … `0f`, is left alone: its keys cannot be told from the shard at this level.)
 */
export async function removeUnshardedCellRecords(
  client: ConsulClient,
  keys: RecordKeys,
  signal: AbortSignal,
): Promise<number> {
  if (!keys.sharded) return 0;
  const shards = new Set(keys.watchPrefixes);
  const folders = await client.kv.keys(keys.prefix, { separator: '/', signal });
  const old = folders.filter((key) => key.endsWith('/') && !shards.has(key));
  for (let start = 0; start < old.length; start += BATCH) {
    const ops: TxnOp[] = old.slice(start, start + BATCH).map((key) => ({ verb: 'delete-tree', key }));
    await client.txn.run(ops, signal);
  }
  return old.length;
}
