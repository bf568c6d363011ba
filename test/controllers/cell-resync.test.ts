import { describe, expect, it } from 'vitest';
import { CellKind } from '../../src/api/kinds.js';
import type { KvEntry } from '../../src/consul/wire.js';
import { cellsToResync } from '../../src/controllers/cell-resync.js';
import { KvLayout } from '../../src/layout/kv-layout.js';

const layout = new KvLayout('t');
const recordKeys = layout.records(CellKind);
const NOW = new Date('2026-11-21T12:00:00.000Z');
const HOUR = 3_600_000;
let index = 1;

const entry = (key: string, value: unknown): [string, KvEntry] => [
  key,
  {
    key,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    flags: 0n,
    createIndex: index,
    modifyIndex: index++,
    lockIndex: 0,
  },
];

const registration = (id: string, incarnation: string, address = '10.0.0.1:7777') => ({
  id,
  incarnation,
  address,
  zone: 'z1',
  startedAt: '2026-11-21T11:00:00.000Z',
});
const spec = (id: string, address = '10.0.0.1:7777') => ({
  apiVersion: 'baton/v1',
  kind: 'Cell',
  metadata: { name: id, generation: 1 },
  spec: { zone: 'z1', address, id }, // key order differs from the registration on purpose
});
const status = (phase: string, incarnation: string, endedAt = '2026-11-21T11:30:00.000Z') => ({
  phase,
  incarnation,
  conditions: [
    {
      type: 'Present',
      status: phase === 'Present' ? 'True' : 'False',
      reason: 'x',
      message: 'x',
      lastTransitionTime: endedAt,
    },
  ],
});

function resync(records: [string, KvEntry][], presence: [string, KvEntry][], retentionMs = 24 * HOUR) {
  return cellsToResync({
    records: new Map(records),
    recordKeys,
    presence: new Map(presence),
    presenceKeys: layout.presence,
    retentionMs,
    now: NOW,
  });
}

describe('cellsToResync: only cells whose cached record is out of step are reconciled', () => {
  it('skips a Present cell with its current incarnation and spec', () => {
    const due = resync(
      [entry(recordKeys.spec('a'), spec('a')), entry(recordKeys.status('a'), status('Present', 'i1'))],
      [entry(layout.presence.cell('a'), registration('a', 'i1'))],
    );
    expect([...due]).toEqual([]);
  });

  it('queues a new incarnation, a changed spec, a missing record or status, an undecodable key', () => {
    const due = resync(
      [
        entry(recordKeys.spec('new-inc'), spec('new-inc')),
        entry(recordKeys.status('new-inc'), status('Present', 'old')),
        entry(recordKeys.spec('moved'), spec('moved')),
        entry(recordKeys.status('moved'), status('Present', 'i1')),
        entry(recordKeys.spec('no-status'), spec('no-status')),
        entry(recordKeys.spec('garbled'), '{not json'),
        entry(recordKeys.status('garbled'), status('Present', 'i1')),
      ],
      [
        entry(layout.presence.cell('new-inc'), registration('new-inc', 'new')),
        entry(layout.presence.cell('moved'), registration('moved', 'i1', '10.9.9.9:7777')),
        entry(layout.presence.cell('no-status'), registration('no-status', 'i1')),
        entry(layout.presence.cell('no-record'), registration('no-record', 'i1')),
        entry(layout.presence.cell('garbled'), registration('garbled', 'i1')),
      ],
    );
    expect([...due].sort()).toEqual(['garbled', 'moved', 'new-inc', 'no-record', 'no-status']);
  });

  it('queues a record that says Present (or nothing) while its presence key is gone', () => {
    const due = resync(
      [
        entry(recordKeys.spec('gone'), spec('gone')),
        entry(recordKeys.status('gone'), status('Present', 'i1')),
        entry(recordKeys.spec('never'), spec('never')),
      ],
      [],
    );
    expect([...due].sort()).toEqual(['gone', 'never']);
  });

  it('queues an ended record only once its retention may be over', () => {
    const records = [
      entry(recordKeys.spec('recent'), spec('recent')),
      entry(recordKeys.status('recent'), status('Lost', 'i1', '2026-11-21T11:30:00.000Z')),
      entry(recordKeys.spec('old'), spec('old')),
      entry(recordKeys.status('old'), status('Departed', 'i1', '2026-11-19T11:30:00.000Z')),
    ];
    expect([...resync(records, [])]).toEqual(['old']);
    expect([...resync(records, [], HOUR / 4)].sort()).toEqual(['old', 'recent']);
  });
});
