import { describe, expect, it } from 'vitest';
import type { KvEntry } from '../../src/consul/wire.js';
import { planLockGc } from '../../src/controllers/lock-gc.js';
import { LockKeys } from '../../src/layout/lock-keys.js';

const locks = new LockKeys('baton/v1');
const NOW = 1_000_000;
const RETENTION = 100;

function entry(key: string, flags: number, session?: string): KvEntry {
  return {
    key,
    value: Buffer.from(''),
    flags: BigInt(flags),
    createIndex: 1,
    modifyIndex: 7,
    lockIndex: 1,
    ...(session === undefined ? {} : { session }),
  };
}

describe('planLockGc', () => {
  it.each<{ name: string; entry: KvEntry; expected: string[] }>([
    { name: 'held: never touched', entry: entry('baton/v1/locks/a', 0, 's1'), expected: [] },
    { name: 'held with a stale mark: left alone', entry: entry('baton/v1/locks/a', 1, 's1'), expected: [] },
    { name: 'unheld, unmarked: marked now', entry: entry('baton/v1/locks/a', 0), expected: ['mark'] },
    { name: 'marked within the retention: kept', entry: entry('baton/v1/locks/a', NOW - 99), expected: [] },
    {
      name: 'marked a retention ago: deleted',
      entry: entry('baton/v1/locks/a', NOW - 100),
      expected: ['delete'],
    },
    {
      name: 'an exclusive resource the same way',
      entry: entry('baton/v1/locks/exclusive/nightly', NOW - 500),
      expected: ['delete'],
    },
    { name: 'a mark in the future: renewed', entry: entry('baton/v1/locks/a', NOW + 5), expected: ['mark'] },
    { name: 'a key locks do not own: ignored', entry: entry('baton/v1/locks/a/b', 0), expected: [] },
  ])('$name', ({ entry: given, expected }) => {
    expect(planLockGc([given], locks, NOW, RETENTION).map((action) => action.action)).toEqual(expected);
  });
});
