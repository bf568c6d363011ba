import type { CellLine } from '../history.js';
import { groupBy, incarnationKey } from './history-index.js';

/**
 * What really became of one incarnation, from the cell lines (the campaign owns the cells, so it knows):
 * `departed` (a clean stop whose departure committed), `lost` (killed, crashed or its session died, and no
 * departure), or `alive` (only ever registered: still running at the end).
 */
export type IncarnationFate = 'departed' | 'lost' | 'alive';

export interface IncarnationTruth {
  readonly cell: string;
  readonly incarnation: string;
  readonly fate: IncarnationFate;
  /** When the incarnation first appeared: the latest of a cell's incarnations has the largest. */
  readonly firstSeenT: number;
  readonly lines: readonly CellLine[];
}

function fateOf(lines: readonly CellLine[]): IncarnationFate {
  if (lines.some((line) => line.what === 'departed')) return 'departed';
  if (lines.some((line) => line.what !== 'registered')) return 'lost';
  return 'alive';
}

/** Every incarnation the cell lines name, keyed by `incarnationKey`. `cells` must be sorted by `t`. */
export function incarnationTruths(cells: readonly CellLine[]): Map<string, IncarnationTruth> {
  const truths = new Map<string, IncarnationTruth>();
  for (const [key, lines] of groupBy(cells, (line) => incarnationKey(line.cell, line.incarnation))) {
    const first = lines[0];
    if (first === undefined) continue;
    truths.set(key, {
      cell: first.cell,
      incarnation: first.incarnation,
      fate: fateOf(lines),
      firstSeenT: first.t,
      lines,
    });
  }
  return truths;
}

/** Each cell's latest incarnation (the one that appeared last). */
export function latestIncarnations(
  truths: ReadonlyMap<string, IncarnationTruth>,
): Map<string, IncarnationTruth> {
  const latest = new Map<string, IncarnationTruth>();
  for (const truth of truths.values()) {
    const known = latest.get(truth.cell);
    if (known === undefined || truth.firstSeenT >= known.firstSeenT) latest.set(truth.cell, truth);
  }
  return latest;
}
