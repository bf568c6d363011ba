import type { ConsulClient } from '../consul/client.js';
import { toLiveCell, type CellRegistration, type LiveCell } from './cell-registration.js';
import { KvLayout } from '../layout/kv-layout.js';
import { decodeSnapshot } from './presence-snapshot.js';

export interface ListCellsOptions {
  /** The installation's KV root (see `KvLayout`): presence lives under `<root>/presence/`. @default 'baton/v1' */
  readonly root?: string;
  readonly signal?: AbortSignal;
}

/** Shards listed at once by `listCells`. */
const SHARD_READS_AT_ONCE = 8;

/**
 * Every registered cell, read with `?consistent` from the presence keys themselves (what a convergence
 * loop reads), one shard's cells at a time (only cell keys travel, not the watcher's records). A cell
 * whose key is gone, departed or lost, is never in the answer: each shard is read from the leader after
 * the call began, so a `CellLost` delivered before the call is never contradicted.
 */
export async function listCells(
  client: ConsulClient,
  options: ListCellsOptions = {},
): Promise<CellRegistration[]> {
  const keys = new KvLayout(options.root).presence;
  const pending = [...keys.shards];
  const cells: CellRegistration[] = [];
  const readShards = async (): Promise<void> => {
    for (let shard = pending.shift(); shard !== undefined; shard = pending.shift()) {
      const { value } = await client.kv.list(keys.cellsPrefix(shard), {
        consistency: 'consistent',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      for (const entry of decodeSnapshot(keys, value).cells.values()) cells.push(entry.value);
    }
  };
  await Promise.all(Array.from({ length: SHARD_READS_AT_ONCE }, readShards));
  return cells.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The scheduler's view (id, address, zone, capacity, labels) of the cells live right now. */
export async function listLiveCells(
  client: ConsulClient,
  options: ListCellsOptions = {},
): Promise<LiveCell[]> {
  return (await listCells(client, options)).map(toLiveCell);
}
