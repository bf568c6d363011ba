import { describe, expect, it } from 'vitest';
import { CellKind } from '../../src/api/kinds.js';
import { removeUnshardedCellRecords } from '../../src/controllers/unsharded-cell-records.js';
import { RecordKeys } from '../../src/layout/record-keys.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

describe('Cell records of the unsharded layout', () => {
  it('are deleted once by the controller, and records in shards are left alone', async () => {
    const { client } = consul.get();
    const keys = new RecordKeys(CellKind, uniquePrefix('unsharded'));
    const unsharded = ['cell-1', 'cell-2', 'zone-b-7'];
    for (const name of unsharded) {
      await client.kv.put(`${keys.prefix}${name}/spec`, '{}');
      await client.kv.put(`${keys.prefix}${name}/status`, '{}');
    }
    for (const name of ['cell-1', 'cell-3']) {
      await client.kv.put(keys.spec(name), '{}');
      await client.kv.put(keys.status(name), '{}');
    }
    const signal = AbortSignal.timeout(10_000);
    expect(await removeUnshardedCellRecords(client, keys, signal)).toBe(unsharded.length);
    expect((await client.kv.keys(keys.prefix, { signal })).sort()).toEqual(
      [keys.spec('cell-1'), keys.status('cell-1'), keys.spec('cell-3'), keys.status('cell-3')].sort(),
    );
    expect(await removeUnshardedCellRecords(client, keys, signal)).toBe(0);
  });
});
