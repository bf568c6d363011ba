import type { ActLine, FaultLine, HistoryLine } from '../history.js';
import { PropertyTally, type StaleActCounts } from './check-report.js';
import { groupBy } from './history-index.js';

export interface StaleActOptions {
  /** How long after a frozen-tree fault heals its resumed worker may still act (see `CheckOptions`). */
  readonly graceMs: number;
  readonly maxExamples: number;
}

export interface StaleActResult {
  readonly tally: PropertyTally;
  readonly counts: StaleActCounts;
  /** The acts that were not stale: each carried the newest token of its resource at its time. */
  readonly current: readonly ActLine[];
}

/** The frozen-tree fault whose window covers `act`, if any: the documented limit where only fencing helps. */
function frozenTreeCovering(
  act: ActLine,
  faults: readonly FaultLine[],
  graceMs: number,
): FaultLine | undefined {
  return faults.find(
    (fault) =>
      fault.limit === 'frozen-tree' &&
      fault.frozen?.includes(act.who) === true &&
      act.t >= fault.t &&
      // A frozen tree never healed stays frozen to the end: its window is open.
      act.t <= (fault.healedAt ?? Number.POSITIVE_INFINITY) + graceMs,
  );
}

/**
 * Judge the acts of one resource family (`acts` sorted by `t`): an act with token T is stale when an act on
 * the same resource with a higher token happened at the same time or before. A stale act is exempt only when
 * a frozen-tree fault froze its worker over it **and** fencing refused it; every other stale act is a
 * violation (a refused one outside such a window still means a worker outlived its term).
 */
export function checkStaleActs(
  acts: readonly ActLine[],
  faults: readonly FaultLine[],
  options: StaleActOptions,
): StaleActResult {
  const tally = new PropertyTally(options.maxExamples);
  const current: ActLine[] = [];
  let stale = 0;
  let fenceRefused = 0;
  let exempt = 0;
  for (const resourceActs of groupBy(acts, (act) => act.resource).values()) {
    let newest: ActLine | undefined;
    for (const sameTime of groupBy(resourceActs, (act) => String(act.t)).values()) {
      // Acts at the same instant all see each other: t' <= t.
      for (const act of sameTime) if (newest === undefined || act.token > newest.token) newest = act;
      for (const act of sameTime) {
        if (newest === undefined || act.token >= newest.token) {
          current.push(act);
          tally.pass();
          continue;
        }
        stale += 1;
        const refused = act.fence === 'refused';
        if (refused) fenceRefused += 1;
        const frozen = frozenTreeCovering(act, faults, options.graceMs);
        if (refused && frozen !== undefined) {
          exempt += 1;
          tally.pass();
          continue;
        }
        const evidence: HistoryLine[] = [act, newest];
        if (frozen !== undefined) evidence.push(frozen);
        tally.fail(evidence);
      }
    }
  }
  return {
    tally,
    counts: { acts: acts.length, stale, fenceRefused, notRefused: stale - fenceRefused, exempt },
    current: current.sort((a, b) => a.t - b.t),
  };
}
