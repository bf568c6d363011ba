import type { ConsulClient } from '../consul/client.js';
import { toLiveCell, type CellRegistration, type LiveCell } from './cell-registration.js';
import { KvLayout } from '../layout/kv-layout.js';
import { decodeSnapshot } from './presence-snapshot.js';

export interface ListCellsOptions {
  /** The installation's KV root (see `KvLayout`): presence lives under `<root>/presence/`. @default 'baton/v1' */
  readonly root?: string;
  readonly signal?: AbortSignal;
}

/**
 * Every registered cell, read with `?consistent` from the presence keys themselves (what a convergence
 * loop reads). A cell whose key is gone, departed or lost, is never in the answer.
 */
export async function listCells(
  client: ConsulClient,
  options: ListCellsOptions = {},
): Promise<CellRegistration[]> {
  const keys = new KvLayout(options.root).presence;
  const { value } = await client.kv.list(keys.cellsPrefix, {
    consistency: 'consistent',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return [...decodeSnapshot(keys, value).cells.values()].map((entry) => entry.value);
}

/** The scheduler's view (id, address, zone, capacity, labels) of the cells live right now. */
export async function listLiveCells(
  client: ConsulClient,
  options: ListCellsOptions = {},
): Promise<LiveCell[]> {
  return (await listCells(client, options)).map(toLiveCell);
}
