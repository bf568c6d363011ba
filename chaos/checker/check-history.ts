import { DEFAULT_TIMING, safetyBudget } from '../../src/api/timing-profile.js';
import type { ActLine, HistoryLine } from '../history.js';
import { PROPERTY_NAMES, type CheckReport, type PropertyName, type PropertyResult } from './check-report.js';
import { checkCellLost } from './cell-lost.js';
import { incarnationTruths, latestIncarnations } from './cell-truth.js';
import { indexHistory } from './history-index.js';
import { checkRecords } from './records.js';
import { checkStaleActs } from './stale-acts.js';
import { checkStaleListings } from './stale-listings.js';
import { checkSubscribers } from './subscribers.js';
import { checkSuccessors } from './successors.js';

export interface CheckOptions {
  /**
   * How long after a frozen-tree fault heals the resumed worker may still act before its supervisor stops
   * it; fence-refused stale acts in `[fault.t, healedAt + graceMs]` are the documented limit, not violations.
   * @default the default timing's stop deadline: 2 x confirmInterval + killGrace (`safetyBudget`)
   */
  readonly graceMs?: number;
  /** How many violations to keep as examples per property. @default 5 */
  readonly maxExamples?: number;
}

export const DEFAULT_CHECK_OPTIONS: Required<CheckOptions> = {
  graceMs: safetyBudget(DEFAULT_TIMING).stopDeadlineMs,
  maxExamples: 5,
};

const isSingletonAct = (act: ActLine): boolean => act.resource.startsWith('singleton/');

/**
 * Judge a recorded history against every safety and liveness property of the fault campaign. Pure: the
 * lines may come in any order (they are sorted by `t` here, stably) and nothing is read or written.
 */
export function checkHistory(lines: readonly HistoryLine[], options: CheckOptions = {}): CheckReport {
  const { graceMs, maxExamples } = { ...DEFAULT_CHECK_OPTIONS, ...options };
  const index = indexHistory(lines);
  const truths = incarnationTruths(index.cells);
  const singletons = checkStaleActs(index.acts.filter(isSingletonAct), index.faults, {
    graceMs,
    maxExamples,
  });
  const locks = checkStaleActs(
    index.acts.filter((act) => !isSingletonAct(act)),
    index.faults,
    { graceMs, maxExamples },
  );
  const cellLost = checkCellLost(index, truths, maxExamples);
  const subscribers = checkSubscribers(index, maxExamples);
  const records = checkRecords(index.records, latestIncarnations(truths), maxExamples);
  const properties: Record<PropertyName, PropertyResult> = {
    'stale-act': singletons.tally.result(),
    'exclusive-overlap': locks.tally.result(),
    'successor-missing': checkSuccessors(
      index.expectations,
      [...singletons.current, ...locks.current],
      maxExamples,
    ).result(),
    'cell-lost-missing': cellLost.lostMissing.result(),
    'cell-lost-duplicate': cellLost.lostDuplicate.result(),
    'cell-lost-false': cellLost.lostFalse.result(),
    'departure-missing': cellLost.departureMissing.result(),
    'stale-listing': checkStaleListings(index, maxExamples).result(),
    'subscriber-missed': subscribers.missed.result(),
    'subscriber-corrupt': subscribers.corrupt.result(),
    'record-not-converged': records.notConverged.result(),
  };
  const faults = new Map<string, number>();
  for (const fault of index.faults) faults.set(fault.kind, (faults.get(fault.kind) ?? 0) + 1);
  return {
    faults: Object.fromEntries([...faults].sort(([a], [b]) => a.localeCompare(b))),
    totalFaults: index.faults.length,
    properties,
    staleActs: { singleton: singletons.counts, lock: locks.counts },
    info: {
      duplicateDeliveries: subscribers.duplicateDeliveries,
      recvsWithoutLogLine: subscribers.recvsWithoutLogLine,
      eventsForUnknownIncarnations: cellLost.eventsForUnknownIncarnations,
      recordsForUnknownCells: records.recordsForUnknownCells,
    },
    violations: PROPERTY_NAMES.reduce((sum, name) => sum + properties[name].violations, 0),
  };
}
