import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../src/cache/diff-snapshots.js';
import type { KvEntry } from '../../src/consul/wire.js';

function entry(key: string, modifyIndex: number): KvEntry {
  return { key, value: Buffer.from(''), flags: 0n, createIndex: 1, modifyIndex, lockIndex: 0 };
}

function snapshot(...entries: [string, number][]): Map<string, KvEntry> {
  return new Map(entries.map(([key, index]) => [key, entry(key, index)]));
}

describe('diffSnapshots', () => {
  it.each<{ name: string; before: Map<string, KvEntry>; after: Map<string, KvEntry>; expected: string[] }>([
    { name: 'nothing to nothing', before: snapshot(), after: snapshot(), expected: [] },
    {
      name: 'first list: all added',
      before: snapshot(),
      after: snapshot(['a', 1], ['b', 2]),
      expected: ['added a', 'added b'],
    },
    { name: 'same indexes: no change', before: snapshot(['a', 1]), after: snapshot(['a', 1]), expected: [] },
    {
      name: 'a new ModifyIndex is an update',
      before: snapshot(['a', 1]),
      after: snapshot(['a', 5]),
      expected: ['updated a'],
    },
    {
      name: 'a key gone is a delete',
      before: snapshot(['a', 1], ['b', 2]),
      after: snapshot(['b', 2]),
      expected: ['deleted a'],
    },
    {
      name: 'mixed',
      before: snapshot(['a', 1], ['b', 2], ['c', 3]),
      after: snapshot(['b', 2], ['c', 9], ['d', 10]),
      expected: ['updated c', 'added d', 'deleted a'],
    },
  ])('$name', ({ before, after, expected }) => {
    expect(diffSnapshots(before, after).map((change) => `${change.type} ${change.key}`)).toEqual(expected);
  });

  it('hands a deleted key its last known entry', () => {
    const [change] = diffSnapshots(snapshot(['a', 7]), snapshot());
    expect(change?.entry.modifyIndex).toBe(7);
  });
});
