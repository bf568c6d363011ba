import type {
  ActLine,
  CellLine,
  ExpectSuccessorLine,
  FaultLine,
  HistoryLine,
  ListingLine,
  LogLine,
  RecordLine,
  RecvLine,
  SubscriberLine,
} from '../history.js';

export type Stream = LogLine['stream'];

/**
 * A history sorted by `t` and split by kind, so each property's check reads only the lines it judges. Lines
 * with the same `t` are ordered by their JSON text, so the verdict and its examples do not depend on the
 * order the lines were merged in.
 */
export interface HistoryIndex {
  readonly acts: readonly ActLine[];
  readonly faults: readonly FaultLine[];
  readonly cells: readonly CellLine[];
  readonly recvs: readonly RecvLine[];
  readonly subscribers: readonly SubscriberLine[];
  /** The durable log by stream, then by seq (the first line recorded for a seq wins). */
  readonly log: ReadonlyMap<Stream, ReadonlyMap<number, LogLine>>;
  readonly listings: readonly ListingLine[];
  readonly records: readonly RecordLine[];
  readonly expectations: readonly ExpectSuccessorLine[];
}

type LinesOf<K extends HistoryLine['k']> = Extract<HistoryLine, { k: K }>[];

export function indexHistory(lines: readonly HistoryLine[]): HistoryIndex {
  const text = new Map<HistoryLine, string>();
  const textOf = (line: HistoryLine): string => {
    const known = text.get(line);
    if (known !== undefined) return known;
    const encoded = JSON.stringify(line);
    text.set(line, encoded);
    return encoded;
  };
  const sorted = [...lines].sort(
    (a, b) => a.t - b.t || (textOf(a) < textOf(b) ? -1 : textOf(a) > textOf(b) ? 1 : 0),
  );
  const of = <K extends HistoryLine['k']>(k: K): LinesOf<K> =>
    sorted.filter((line): line is Extract<HistoryLine, { k: K }> => line.k === k);
  const log = new Map<Stream, Map<number, LogLine>>();
  for (const line of of('log')) {
    const stream = log.get(line.stream) ?? new Map<number, LogLine>();
    log.set(line.stream, stream);
    if (!stream.has(line.seq)) stream.set(line.seq, line);
  }
  return {
    acts: of('act'),
    faults: of('fault'),
    cells: of('cell'),
    recvs: of('recv'),
    subscribers: of('subscriber'),
    log,
    listings: of('listing'),
    records: of('record'),
    expectations: of('expect-successor'),
  };
}

/** One key for a (cell, incarnation) pair. */
export function incarnationKey(cell: string, incarnation: string): string {
  return JSON.stringify([cell, incarnation]);
}

/** Group `items` by `keyOf`, keeping each group in the items' order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}
