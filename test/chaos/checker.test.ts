import { describe, expect, it } from 'vitest';
import {
  checkHistory,
  formatReport,
  PROPERTY_NAMES,
  type CheckReport,
  type PropertyName,
} from '../../chaos/checker/index.js';
import type {
  ActLine,
  CellLine,
  FaultLine,
  HistoryLine,
  ListingLine,
  LogLine,
  RecordLine,
  RecvLine,
  Resource,
} from '../../chaos/history.js';

const act = (
  t: number,
  resource: Resource,
  who: string,
  token: number,
  fence: ActLine['fence'] = 'none',
): ActLine => ({ k: 'act', t, resource, who, token, fence });
const cell = (t: number, id: string, incarnation: string, what: CellLine['what']): CellLine => ({
  k: 'cell',
  t,
  cell: id,
  incarnation,
  what,
});
const log = (t: number, seq: number, type: string, subject: string, incarnation: string): LogLine => ({
  k: 'log',
  t,
  stream: 'presence',
  seq,
  type,
  subject,
  incarnation,
});
const recvOf = (t: number, sub: string, logged: LogLine): RecvLine => ({
  k: 'recv',
  t,
  sub,
  stream: logged.stream,
  seq: logged.seq,
  type: logged.type,
  subject: logged.subject,
  ...(logged.incarnation === undefined ? {} : { incarnation: logged.incarnation }),
});
const listing = (t: number, cells: [string, string][]): ListingLine => ({
  k: 'listing',
  t,
  cells: cells.map(([id, incarnation]) => ({ cell: id, incarnation })),
});
/** An incarnation that registered at `t` and departed cleanly just after, and the events logged for it. */
const cameAndWent = (t: number, id: string, incarnation: string, ...logged: [number, string][]) => [
  cell(t, id, incarnation, 'registered'),
  cell(t + 0.3, id, incarnation, 'departed'),
  ...logged.map(([seq, type]) => log(t + 1, seq, type, id, incarnation)),
];
const record = (id: string, incarnation: string, phase: string): RecordLine => ({
  k: 'record',
  t: 100,
  cell: id,
  incarnation,
  phase,
});

/** The durable presence log of the clean history. */
const LOG = [
  log(1.1, 1, 'CellRegistered', 'c-live', 'L1'),
  log(1.2, 2, 'CellRegistered', 'c-dep', 'D1'),
  log(1.3, 3, 'CellRegistered', 'c-kill', 'K1'),
  log(4.1, 4, 'CellDeparted', 'c-dep', 'D1'),
  log(6, 5, 'CellLost', 'c-kill', 'K1'),
  log(8.1, 6, 'CellRegistered', 'c-kill', 'K2'),
] as const;

/**
 * A history in which every property holds and is checked at least once: a singleton failover with fenced
 * acts, a lock handed over, a successor after a fault, a live cell, a departed cell, a killed cell that
 * re-registered under a new incarnation, a subscriber that got everything, listings and converged records.
 */
function cleanHistory(): HistoryLine[] {
  return [
    { k: 'fault', t: 0.5, id: 1, kind: 'sigkill-supervisor', target: 'w1', healedAt: 0.6 },
    act(1, 'singleton/s', 'w1', 1, 'accepted'),
    act(2, 'singleton/s', 'w2', 2, 'accepted'),
    act(3, 'singleton/s', 'w2', 2, 'accepted'),
    { k: 'fault', t: 9, id: 2, kind: 'blackhole', target: 'w2', healedAt: 10 },
    { k: 'expect-successor', t: 10, resource: 'singleton/s', withinMs: 5 },
    act(12, 'singleton/s', 'w3', 3, 'accepted'),
    act(1, 'lock/r', 'l1', 7),
    act(5, 'lock/r', 'l2', 8),
    cell(1, 'c-live', 'L1', 'registered'),
    cell(1, 'c-dep', 'D1', 'registered'),
    cell(4, 'c-dep', 'D1', 'departed'),
    cell(1, 'c-kill', 'K1', 'registered'),
    cell(5, 'c-kill', 'K1', 'killed'),
    cell(8, 'c-kill', 'K2', 'registered'),
    ...LOG,
    { k: 'subscriber', t: 0, sub: 'sse-1', stream: 'presence', fromSeq: 0, toSeq: 6 },
    ...LOG.map((logged) => recvOf(logged.t + 0.5, 'sse-1', logged)),
    listing(6.2, [
      ['c-live', 'L1'],
      ['c-kill', 'K1'],
    ]),
    listing(9, [
      ['c-live', 'L1'],
      ['c-kill', 'K2'],
    ]),
    record('c-live', 'L1', 'Present'),
    record('c-dep', 'D1', 'Departed'),
    record('c-kill', 'K2', 'Present'),
  ];
}

const seq = (n: number): LogLine => {
  const found = LOG.find((line) => line.seq === n);
  if (found === undefined) throw new Error(`no log line ${n}`);
  return found;
};
const isRecvOf = (line: HistoryLine, sub: string, n: number): boolean =>
  line.k === 'recv' && line.sub === sub && line.seq === n;

/** The properties that have violations, with their counts. */
function violated(report: CheckReport): Partial<Record<PropertyName, number>> {
  return Object.fromEntries(
    PROPERTY_NAMES.filter((name) => report.properties[name].violations > 0).map((name) => [
      name,
      report.properties[name].violations,
    ]),
  );
}

describe('checkHistory', () => {
  it('passes a clean history that exercises every property', () => {
    const report = checkHistory(cleanHistory());
    expect(violated(report)).toEqual({});
    expect(report.violations).toBe(0);
    for (const name of PROPERTY_NAMES) expect(report.properties[name].checked, name).toBeGreaterThan(0);
    expect(report.faults).toEqual({ blackhole: 1, 'sigkill-supervisor': 1 });
    expect(report.totalFaults).toBe(2);
  });

  const violations: {
    name: string;
    property: PropertyName;
    change: (history: HistoryLine[]) => HistoryLine[];
    offender: HistoryLine;
  }[] = [
    {
      name: 'a singleton act of the old term after the new term acted, unfenced',
      property: 'stale-act',
      change: (h) => [...h, act(4, 'singleton/s', 'w1', 1)],
      offender: act(4, 'singleton/s', 'w1', 1),
    },
    {
      name: 'a lock run acting after the next run acted',
      property: 'exclusive-overlap',
      change: (h) => [...h, act(6, 'lock/r', 'l1', 7)],
      offender: act(6, 'lock/r', 'l1', 7),
    },
    {
      name: 'no successor within the expected time',
      property: 'successor-missing',
      change: (h) => [...h, { k: 'expect-successor', t: 30, resource: 'lock/r', withinMs: 5 }],
      offender: { k: 'expect-successor', t: 30, resource: 'lock/r', withinMs: 5 },
    },
    {
      name: 'a crashed incarnation never reported lost',
      property: 'cell-lost-missing',
      change: (h) => [...h, cell(10, 'c-crash', 'X1', 'registered'), cell(11, 'c-crash', 'X1', 'crashed')],
      offender: cell(10, 'c-crash', 'X1', 'registered'),
    },
    {
      name: 'a killed incarnation reported lost under two seqs',
      property: 'cell-lost-duplicate',
      change: (h) => [...h, log(7, 7, 'CellLost', 'c-kill', 'K1')],
      offender: seq(5),
    },
    {
      name: 'a live incarnation reported lost',
      property: 'cell-lost-false',
      change: (h) => [...h, log(7, 8, 'CellLost', 'c-live', 'L1')],
      offender: log(7, 8, 'CellLost', 'c-live', 'L1'),
    },
    {
      name: 'a departed incarnation reported lost',
      property: 'cell-lost-false',
      change: (h) => [...h, log(7, 9, 'CellLost', 'c-dep', 'D1')],
      offender: log(7, 9, 'CellLost', 'c-dep', 'D1'),
    },
    {
      name: 'an announced, departed incarnation with no CellDeparted',
      property: 'departure-missing',
      change: (h) => [
        ...h,
        cell(10, 'c-dep2', 'E1', 'registered'),
        log(10.5, 20, 'CellRegistered', 'c-dep2', 'E1'),
        cell(11, 'c-dep2', 'E1', 'departed'),
      ],
      offender: cell(10, 'c-dep2', 'E1', 'registered'),
    },
    {
      name: 'an incarnation that registered and departed while no watcher ran, never logged',
      property: 'departure-missing',
      change: (h) => [...h, ...cameAndWent(12, 'c-brief', 'B1')],
      offender: cell(12, 'c-brief', 'B1', 'registered'),
    },
    {
      name: 'an unseen clean incarnation logged departed without its CellRegistered',
      property: 'departure-missing',
      change: (h) => [...h, ...cameAndWent(13, 'c-brief2', 'B2', [30, 'CellDeparted'])],
      offender: cell(13, 'c-brief2', 'B2', 'registered'),
    },
    {
      name: 'an unseen clean incarnation logged departed before registered',
      property: 'departure-missing',
      change: (h) => [
        ...h,
        ...cameAndWent(15, 'c-brief3', 'B3', [31, 'CellDeparted'], [32, 'CellRegistered']),
      ],
      offender: cell(15, 'c-brief3', 'B3', 'registered'),
    },
    {
      name: 'a listing showing a cell after its CellLost was received',
      property: 'stale-listing',
      change: (h) => [...h, listing(7, [['c-kill', 'K1']])],
      offender: listing(7, [['c-kill', 'K1']]),
    },
    {
      name: 'a subscriber that never got one event of its span',
      property: 'subscriber-missed',
      change: (h) => h.filter((line) => !isRecvOf(line, 'sse-1', 3)),
      offender: { k: 'subscriber', t: 0, sub: 'sse-1', stream: 'presence', fromSeq: 0, toSeq: 6 },
    },
    {
      name: 'a subscriber that got an event whose type differs from the log',
      property: 'subscriber-corrupt',
      change: (h) =>
        h.map((line) =>
          isRecvOf(line, 'sse-1', 6) ? { ...recvOf(9, 'sse-1', seq(6)), type: 'CellUpdated' } : line,
        ),
      offender: { ...recvOf(9, 'sse-1', seq(6)), type: 'CellUpdated' },
    },
    {
      name: 'a subscriber that got an event naming another incarnation than the log',
      property: 'subscriber-corrupt',
      change: (h) =>
        h.map((line) =>
          isRecvOf(line, 'sse-1', 5) ? { ...recvOf(6.5, 'sse-1', seq(5)), incarnation: 'K2' } : line,
        ),
      offender: { ...recvOf(6.5, 'sse-1', seq(5)), incarnation: 'K2' },
    },
    {
      name: 'a record whose phase is not the truth',
      property: 'record-not-converged',
      change: (h) => [
        ...h.filter((line) => line.k !== 'record' || line.cell !== 'c-dep'),
        record('c-dep', 'D1', 'Lost'),
      ],
      offender: record('c-dep', 'D1', 'Lost'),
    },
    {
      name: 'a record still naming an older incarnation',
      property: 'record-not-converged',
      change: (h) => [
        ...h.filter((line) => line.k !== 'record' || line.cell !== 'c-kill'),
        record('c-kill', 'K1', 'Present'),
      ],
      offender: record('c-kill', 'K1', 'Present'),
    },
  ];

  it.each(violations)('catches $property: $name', ({ property, change, offender }) => {
    const report = checkHistory(change(cleanHistory()));
    expect(violated(report)).toEqual({ [property]: 1 });
    expect(report.violations).toBe(1);
    expect(report.properties[property].examples).toHaveLength(1);
    expect(report.properties[property].examples[0]?.[0]).toEqual(offender);
  });

  it('covers every property with a violating history', () => {
    expect(new Set(violations.map((v) => v.property))).toEqual(new Set(PROPERTY_NAMES));
  });

  it('accepts an incarnation that came and went unseen once it is logged registered, then departed', () => {
    const unseen = cameAndWent(10, 'c-brief', 'B1', [40, 'CellRegistered'], [41, 'CellDeparted']);
    const report = checkHistory([...cleanHistory(), ...unseen]);
    expect(report.violations).toBe(0);
    expect(report.properties['departure-missing'].violations).toBe(0);
  });

  it('judges the same whatever order the lines come in', () => {
    const history = violations.reduce((h, v) => v.change(h), cleanHistory());
    const reversed = checkHistory([...history].reverse());
    expect(reversed).toEqual(checkHistory(history));
    expect(reversed.violations).toBe(violations.length);
  });

  it('keeps at most maxExamples examples but counts every violation', () => {
    const stale = [4, 5, 6].map((t) => act(t, 'singleton/s', 'w1', 1));
    const report = checkHistory([...cleanHistory(), ...stale], { maxExamples: 2 });
    expect(report.properties['stale-act'].violations).toBe(3);
    expect(report.properties['stale-act'].examples).toHaveLength(2);
  });

  it('counts an act at the same instant as a newer term as stale', () => {
    const report = checkHistory([act(1, 'singleton/x', 'b', 2), act(1, 'singleton/x', 'a', 1)]);
    expect(violated(report)).toEqual({ 'stale-act': 1 });
  });
});

describe('stale acts and the frozen-tree limit', () => {
  const graceMs = 500;
  const frozenTree: FaultLine = {
    k: 'fault',
    t: 10,
    id: 3,
    kind: 'sigstop-tree',
    target: 'w2',
    healedAt: 14_000,
    limit: 'frozen-tree',
    frozen: ['w2'],
  };
  const before = [
    act(1, 'singleton/s', 'w2', 2, 'accepted'),
    frozenTree,
    act(12, 'singleton/s', 'w3', 3, 'accepted'),
  ];

  it.each([
    { name: 'refused, inside the window', stale: act(13_000, 'singleton/s', 'w2', 2, 'refused'), ok: true },
    { name: 'refused, inside the grace', stale: act(14_400, 'singleton/s', 'w2', 2, 'refused'), ok: true },
    { name: 'refused, after the grace', stale: act(14_600, 'singleton/s', 'w2', 2, 'refused'), ok: false },
    {
      name: 'accepted, inside the window',
      stale: act(13_000, 'singleton/s', 'w2', 2, 'accepted'),
      ok: false,
    },
    { name: 'unfenced, inside the window', stale: act(13_000, 'singleton/s', 'w2', 2, 'none'), ok: false },
    {
      name: 'refused, by a worker not frozen',
      stale: act(13_000, 'singleton/s', 'w1', 1, 'refused'),
      ok: false,
    },
  ])('a stale act $name is exempt: $ok', ({ stale, ok }) => {
    const report = checkHistory([...before, stale], { graceMs });
    expect(report.properties['stale-act'].violations).toBe(ok ? 0 : 1);
    const refused = stale.fence === 'refused' ? 1 : 0;
    expect(report.staleActs.singleton).toEqual({
      acts: 3,
      stale: 1,
      fenceRefused: refused,
      notRefused: 1 - refused,
      exempt: ok ? 1 : 0,
    });
  });

  it('keeps a never-healed frozen tree open to the end', () => {
    const { healedAt: _healed, ...permanent } = frozenTree;
    const report = checkHistory([
      ...before.filter((l) => l !== frozenTree),
      permanent,
      act(99_000, 'singleton/s', 'w2', 2, 'refused'),
    ]);
    expect(report.violations).toBe(0);
    expect(report.staleActs.singleton.exempt).toBe(1);
  });

  it('does not count an old term resuming as the successor', () => {
    const expectation: HistoryLine = {
      k: 'expect-successor',
      t: 14_000,
      resource: 'singleton/s',
      withinMs: 5_000,
    };
    const resumed = act(14_400, 'singleton/s', 'w2', 2, 'refused');
    const onlyOld = checkHistory([...before, expectation, resumed], { graceMs });
    expect(violated(onlyOld)).toEqual({ 'successor-missing': 1 });
    const successor = act(15_000, 'singleton/s', 'w3', 3, 'accepted');
    expect(checkHistory([...before, expectation, resumed, successor], { graceMs }).violations).toBe(0);
  });

  it('applies the same limit to lock runs', () => {
    const locked = [
      act(1, 'lock/r', 'w2', 2),
      frozenTree,
      act(12, 'lock/r', 'w3', 3),
      act(13_000, 'lock/r', 'w2', 2, 'refused'),
    ];
    const report = checkHistory(locked, { graceMs });
    expect(report.staleActs.lock.exempt).toBe(1);
    expect(report.properties['exclusive-overlap'].violations).toBe(0);
    const accepted = checkHistory([...locked.slice(0, 3), act(13_000, 'lock/r', 'w2', 2, 'accepted')], {
      graceMs,
    });
    expect(violated(accepted)).toEqual({ 'exclusive-overlap': 1 });
  });
});

describe('subscribers', () => {
  const span = { k: 'subscriber', t: 0, sub: 'log-1', stream: 'presence', fromSeq: 0, toSeq: 6 } as const;

  it('accepts at-least-once duplicates and counts them', () => {
    const history = [...cleanHistory(), recvOf(3, 'sse-1', seq(3)), recvOf(4, 'sse-1', seq(3))];
    const report = checkHistory(history);
    expect(report.violations).toBe(0);
    expect(report.info.duplicateDeliveries).toBe(2);
  });

  it('does not count declared gaps as misses, and counts them when undeclared', () => {
    const received = [1, 5, 6].map((n) => recvOf(10, 'log-1', seq(n)));
    const withGaps = checkHistory([...cleanHistory(), { ...span, gaps: [[2, 4]] }, ...received]);
    expect(violated(withGaps)).toEqual({});
    const without = checkHistory([...cleanHistory(), span, ...received]);
    expect(violated(without)).toEqual({ 'subscriber-missed': 3 });
  });

  it('holds a subscriber only to its span', () => {
    const late = { ...span, fromSeq: 4 };
    const report = checkHistory([...cleanHistory(), late, ...[5, 6].map((n) => recvOf(10, 'log-1', seq(n)))]);
    expect(report.violations).toBe(0);
  });
});

describe('CellLost after a re-registration', () => {
  it('needs CellLost only for the killed incarnation, and none for its live successor', () => {
    const clean = checkHistory(cleanHistory());
    expect(clean.properties['cell-lost-missing'].checked).toBe(1);
    expect(clean.violations).toBe(0);
    const falseLoss = checkHistory([...cleanHistory(), log(9, 7, 'CellLost', 'c-kill', 'K2')]);
    expect(violated(falseLoss)).toEqual({ 'cell-lost-false': 1 });
  });
});

describe('formatReport', () => {
  it('prints the faults by kind and the violations by property as Markdown tables', () => {
    const text = formatReport(checkHistory([...cleanHistory(), act(4, 'singleton/s', 'w1', 1)]));
    expect(text).toContain('| blackhole | 1 |');
    expect(text).toContain('| **total** | 2 |');
    expect(text).toMatch(/\| `stale-act` \| [^|]+ \| 5 \| 1 \|/);
    for (const name of PROPERTY_NAMES) expect(text).toContain(`\`${name}\``);
    expect(text).toContain('Total violations: 1');
  });
});
