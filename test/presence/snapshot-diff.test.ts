import { describe, expect, it } from 'vitest';
import type { KvEntry } from '../../src/consul/wire.js';
import type { CellRegistration } from '../../src/presence/cell-registration.js';
import { PresenceKeys } from '../../src/layout/presence-keys.js';
import { shardOf } from '../../src/layout/shards.js';
import { decodeSnapshot } from '../../src/presence/presence-snapshot.js';
import { changeEvents, changeOps } from '../../src/presence/change-ops.js';
import { diffSnapshot, reportsLoss } from '../../src/presence/snapshot-diff.js';

const keys = new PresenceKeys('t');
const I1 = '11111111-1111-4111-8111-111111111111';
const I2 = '22222222-2222-4222-8222-222222222222';
const I3 = '33333333-3333-4333-8333-333333333333';
const NAMES = new Map([
  [I1, 'I1'],
  [I2, 'I2'],
  [I3, 'I3'],
]);
let index = 10;

function reg(id: string, incarnation: string, extra: Partial<CellRegistration> = {}): CellRegistration {
  return { id, address: '10.0.0.1:7777', incarnation, startedAt: '2026-01-01T00:00:00.000Z', ...extra };
}

function entry(key: string, value: unknown): KvEntry {
  index += 1;
  return {
    key,
    value: Buffer.from(JSON.stringify(value)),
    flags: 0n,
    createIndex: index,
    modifyIndex: index,
    lockIndex: 0,
  };
}

const cell = (r: CellRegistration): KvEntry => entry(keys.cell(r.id), r);
const known = (r: CellRegistration): KvEntry =>
  entry(keys.known(r.id), { registration: r, observedAt: '2026-01-01T00:00:01.000Z' });
/** A departure record as an older Baton wrote it: without the registration it ends. */
const departure = (id: string, incarnation: string): KvEntry =>
  entry(keys.departure(id, incarnation), {
    id,
    incarnation,
    departedAt: '2026-01-01T00:00:02.000Z',
    reason: 'Stopped',
  });
/** A departure record as `departCell` writes it: with the registration it ends. */
const departed = (r: CellRegistration): KvEntry =>
  entry(keys.departure(r.id, r.incarnation), {
    id: r.id,
    incarnation: r.incarnation,
    departedAt: '2026-01-01T00:00:02.000Z',
    reason: 'Stopped',
    registration: r,
  });

const incarnation = (r: CellRegistration): KvEntry => entry(keys.incarnation(r.id, r.incarnation), r);

function events(entries: KvEntry[]): string[] {
  return diffSnapshot(decodeSnapshot(keys, entries)).changes.flatMap((c) =>
    c.transitions.map((t) => `${t.type}:${t.cellId}:${NAMES.get(t.incarnation) ?? '?'}:${t.reason}`),
  );
}

describe('diffSnapshot (pure)', () => {
  const cases: { name: string; entries: () => KvEntry[]; expected: string[] }[] = [
    { name: 'nothing known, nothing present', entries: () => [], expected: [] },
    {
      name: 'a new cell registers',
      entries: () => [cell(reg('a', I1))],
      expected: ['CellRegistered:a:I1:Registered'],
    },
    {
      name: 'a known cell still present',
      entries: () => [cell(reg('a', I1)), known(reg('a', I1))],
      expected: [],
    },
    {
      name: 'a known cell changed its record',
      entries: () => [cell(reg('a', I1, { zone: 'z2' })), known(reg('a', I1))],
      expected: ['CellUpdated:a:I1:RegistrationChanged'],
    },
    {
      name: 'a known cell vanished without a departure record: lost',
      entries: () => [known(reg('a', I1))],
      expected: ['CellLost:a:I1:SessionInvalidated'],
    },
    {
      name: 'a known cell vanished with its departure record: departed',
      entries: () => [known(reg('a', I1)), departure('a', I1)],
      expected: ['CellDeparted:a:I1:DepartureRecorded'],
    },
    {
      name: 'a departure of another incarnation does not explain the loss',
      entries: () => [known(reg('a', I1)), departure('a', I2)],
      expected: ['CellLost:a:I1:SessionInvalidated'],
    },
    {
      name: 'crash and restart under the same id: lost then registered, never a silent swap',
      entries: () => [cell(reg('a', I2)), known(reg('a', I1))],
      expected: ['CellLost:a:I1:Reincarnated', 'CellRegistered:a:I2:Registered'],
    },
    {
      name: 'clean restart under the same id: departed then registered',
      entries: () => [cell(reg('a', I2)), known(reg('a', I1)), departure('a', I1)],
      expected: ['CellDeparted:a:I1:DepartureRecorded', 'CellRegistered:a:I2:Registered'],
    },
    {
      name: 'an incarnation nobody saw live whose key is gone: lost',
      entries: () => [incarnation(reg('a', I1))],
      expected: ['CellLost:a:I1:SessionInvalidated'],
    },
    {
      name: 'an incarnation nobody saw live, replaced by a live one: lost, then registered',
      entries: () => [cell(reg('a', I2)), incarnation(reg('a', I1)), incarnation(reg('a', I2))],
      expected: ['CellLost:a:I1:Reincarnated', 'CellRegistered:a:I2:Registered'],
    },
    {
      name: 'an incarnation nobody saw live that left a departure record: departed',
      entries: () => [incarnation(reg('a', I1)), departure('a', I1)],
      expected: ['CellDeparted:a:I1:DepartureRecorded'],
    },
    {
      name: 'a known incarnation with its record is reported once',
      entries: () => [known(reg('a', I1)), incarnation(reg('a', I1))],
      expected: ['CellLost:a:I1:SessionInvalidated'],
    },
    {
      name: 'the live incarnation’s record is not a loss',
      entries: () => [cell(reg('a', I1)), incarnation(reg('a', I1))],
      expected: ['CellRegistered:a:I1:Registered'],
    },
    {
      name: 'an incarnation that registered and departed while nobody watched: registered, then departed',
      entries: () => [departed(reg('a', I1))],
      expected: ['CellRegistered:a:I1:Registered', 'CellDeparted:a:I1:DepartureRecorded'],
    },
    {
      name: 'an unseen departed incarnation, then a live one: its two events before the new registration',
      entries: () => [departed(reg('a', I1)), incarnation(reg('a', I2)), cell(reg('a', I2))],
      expected: [
        'CellRegistered:a:I1:Registered',
        'CellDeparted:a:I1:DepartureRecorded',
        'CellRegistered:a:I2:Registered',
      ],
    },
    {
      name: 'the known one departed, an unseen one came and went, a third is live: in the order they happened',
      entries: () => [
        known(reg('a', I1)),
        departed(reg('a', I1)),
        departed(reg('a', I2)),
        incarnation(reg('a', I3)),
        cell(reg('a', I3)),
      ],
      expected: [
        'CellDeparted:a:I1:DepartureRecorded',
        'CellRegistered:a:I2:Registered',
        'CellDeparted:a:I2:DepartureRecorded',
        'CellRegistered:a:I3:Registered',
      ],
    },
    {
      name: 'unseen incarnations are reported oldest first, by the index of the record each left',
      entries: () => [departed(reg('a', I3)), incarnation(reg('a', I1)), departed(reg('a', I2))],
      expected: [
        'CellRegistered:a:I3:Registered',
        'CellDeparted:a:I3:DepartureRecorded',
        'CellLost:a:I1:SessionInvalidated',
        'CellRegistered:a:I2:Registered',
        'CellDeparted:a:I2:DepartureRecorded',
      ],
    },
    {
      name: 'the known incarnation’s departure record, registration and all, is one CellDeparted',
      entries: () => [known(reg('a', I1)), departed(reg('a', I1))],
      expected: ['CellDeparted:a:I1:DepartureRecorded'],
    },
    {
      name: 'a departure record beside its incarnation record is reported once',
      entries: () => [incarnation(reg('a', I1)), departed(reg('a', I1))],
      expected: ['CellDeparted:a:I1:DepartureRecorded'],
    },
    {
      name: 'a departure record written without its registration (older Baton) reports nothing',
      entries: () => [departure('a', I1)],
      expected: [],
    },
    {
      name: 'undecodable records are ignored, never reported',
      entries: () => [entry(keys.cell('a'), { nope: true }), entry(keys.cell('b'), reg('other', I1))],
      expected: [],
    },
  ];
  for (const { name, entries, expected } of cases) {
    it(name, () => {
      expect(events(entries())).toEqual(expected);
    });
  }

  it('carries the guards the commit needs', () => {
    const present = cell(reg('a', I2));
    const was = known(reg('a', I1));
    const [change] = diffSnapshot(decodeSnapshot(keys, [present, was])).changes;
    expect(change?.cellIndex).toBe(present.modifyIndex);
    expect(change?.knownIndex).toBe(was.modifyIndex);
    expect(change?.nextKnown?.incarnation).toBe(I2);
  });

  it('refuses a departure record whose registration names another incarnation', () => {
    const other = departed(reg('a', I2));
    const wrong = entry(keys.departure('a', I1), { ...JSON.parse(other.value.toString()), incarnation: I1 });
    const snapshot = decodeSnapshot(keys, [wrong]);
    expect(snapshot.invalid).toEqual([wrong.key]);
    expect(diffSnapshot(snapshot).changes).toEqual([]);
  });

  it('consumes an unseen departed incarnation’s record, leaving the known record to the live one', () => {
    const record = departed(reg('a', I1));
    const live = cell(reg('a', I2));
    const { changes, staleDepartures } = diffSnapshot(decodeSnapshot(keys, [record, live]));
    expect(staleDepartures).toEqual([]);
    expect(
      changes.map((c) => [c.keepsKnown, c.nextKnown?.incarnation, c.consumedRecords.map((r) => r.key)]),
    ).toEqual([
      [true, undefined, [record.key]],
      [false, I2, []],
    ]);
    const [unseen] = changes;
    expect(unseen?.cellIndex).toBe(live.modifyIndex);
  });

  it('forgets the ended known incarnation before the unseen ones and remembers the live one after', () => {
    const was = known(reg('a', I1));
    const live = cell(reg('a', I3));
    const { changes } = diffSnapshot(
      decodeSnapshot(keys, [was, departed(reg('a', I1)), departed(reg('a', I2)), live]),
    );
    expect(changes.map((c) => [c.keepsKnown, c.knownIndex, c.nextKnown?.incarnation])).toEqual([
      [false, was.modifyIndex, undefined],
      [true, was.modifyIndex, undefined],
      [false, undefined, I3],
    ]);
  });

  it('commits an unseen departure guarded: the record consumed at its index, the known record untouched', () => {
    const record = departed(reg('a', I1));
    const was = known(reg('b', I2));
    const [change] = diffSnapshot(decodeSnapshot(keys, [record, was])).changes.filter(
      (c) => c.cellId === 'a',
    );
    if (change === undefined) throw new Error('no change for a');
    const ops = changeOps(keys, change, '2026-01-01T00:00:03.000Z');
    expect(ops.map((op) => `${op.verb} ${op.key}`)).toEqual([
      `check-not-exists ${keys.cell('a')}`,
      `check-index ${record.key}`,
      `delete ${record.key}`,
      `set ${keys.outcome('a')}`,
    ]);
    expect(changeEvents(change, '2026-01-01T00:00:03.000Z').map((e) => e.type)).toEqual([
      'CellRegistered',
      'CellDeparted',
    ]);
  });

  it('reports departures no known incarnation needs as stale, and flags losses', () => {
    const diff = diffSnapshot(decodeSnapshot(keys, [departure('a', I1), known(reg('b', I1))]));
    expect(diff.staleDepartures.map((d) => d.key)).toEqual([keys.departure('a', I1)]);
    expect(reportsLoss(diff)).toBe(true);
  });

  it('classifies only the keys presence owns, each in the shard its id hashes to', () => {
    const a = shardOf('a');
    expect(keys.shards).toContain(a);
    expect(keys.cell('a')).toBe(`t/presence/${a}/cells/a`);
    expect(keys.classify(`t/presence/${a}/cells/a`)).toEqual({ kind: 'cell', shard: a, id: 'a' });
    expect(keys.classify(`t/presence/${a}/departures/a/${I1}`)).toEqual({
      kind: 'departure',
      shard: a,
      id: 'a',
      incarnation: I1,
    });
    expect(keys.classify(`t/presence/${a}/incarnations/a/${I1}`)).toEqual({
      kind: 'incarnation',
      shard: a,
      id: 'a',
      incarnation: I1,
    });
    expect(keys.classify(`t/presence/${a}/cells/a/extra`)).toBeUndefined();
    const elsewhere = a === '00' ? '01' : '00';
    expect(keys.classify(`t/presence/${elsewhere}/cells/a`)).toBeUndefined();
    expect(keys.classify('t/presence/cells/a')).toBeUndefined();
    expect(keys.classify('t/other/cells/a')).toBeUndefined();
  });

  it('spreads ids over every shard', () => {
    const counts = new Map<string, number>();
    const n = 100 * keys.shards.length;
    for (let i = 0; i < n; i += 1) {
      const shard = shardOf(`cell-${i}`);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...keys.shards]);
    expect(Math.max(...counts.values())).toBeLessThan(150); // 100 each if perfectly even
  });
});
