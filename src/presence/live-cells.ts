import type { ConsulClient } from '../consul/client.js';
import { toLiveCell, type CellRegistration, type LiveCell } from './cell-registration.js';
import { PresenceKeys } from './presence-keys.js';
import { decodeSnapshot } from './presence-snapshot.js';

export interface ListCellsOptions {
  readonly keys?: PresenceKeys;
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
  const keys = options.keys ?? new PresenceKeys();
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
