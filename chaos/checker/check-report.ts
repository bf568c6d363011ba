import type { HistoryLine } from '../history.js';

/** Every property the checker judges, with the sentence the report prints for it. */
export const PROPERTIES = {
  'stale-act': 'singleton: an act of an older term after a newer term acted',
  'exclusive-overlap': 'lock: an act of an older run after a newer run acted (overlapping exclusive runs)',
  'successor-missing': 'no act on the resource within the expected time after a fault healed',
  'cell-lost-missing': 'a hard-dead incarnation never reported CellLost',
  'cell-lost-duplicate': 'a hard-dead incarnation reported CellLost under two or more seqs',
  'cell-lost-false': 'CellLost for a live or cleanly departed incarnation',
  'departure-missing':
    'a cleanly departed incarnation (seen live by a watcher or not) did not get CellRegistered then CellDeparted',
  'stale-listing': 'a listing still showed an incarnation after a subscriber had received its CellLost',
  'subscriber-missed': 'a subscriber never received a logged event of its span (outside declared gaps)',
  'subscriber-corrupt':
    'a subscriber received an event whose type, subject or incarnation differs from the log',
  'record-not-converged':
    "a Cell record's phase or incarnation differs from the truth of the latest incarnation",
} as const;

export type PropertyName = keyof typeof PROPERTIES;

export const PROPERTY_NAMES = Object.keys(PROPERTIES) as PropertyName[];

/** How one property fared: instances judged, instances violated, and the lines of the first few. */
export interface PropertyResult {
  readonly checked: number;
  readonly violations: number;
  /** Up to `maxExamples` violations, each as the lines that show it (the offender first). */
  readonly examples: readonly (readonly HistoryLine[])[];
}

/**
 * Stale acts of one resource family. `stale = fenceRefused + notRefused`; `exempt` counts the stale acts
 * that hit the documented frozen-tree limit and were refused by fencing (so `exempt <= fenceRefused`).
 */
export interface StaleActCounts {
  readonly acts: number;
  readonly stale: number;
  readonly fenceRefused: number;
  readonly notRefused: number;
  readonly exempt: number;
}

/** Facts that are not violations but help read a run. */
export interface CheckInfo {
  /** Deliveries of a seq a subscriber had already received (at-least-once delivery: allowed). */
  readonly duplicateDeliveries: number;
  /** Received events whose seq the final log no longer holds (trimmed by retention): not comparable. */
  readonly recvsWithoutLogLine: number;
  /** Presence CellLost/CellDeparted events for incarnations no cell line names: no truth to judge them by. */
  readonly eventsForUnknownIncarnations: number;
  /** Record lines for cells no cell line names. */
  readonly recordsForUnknownCells: number;
}

/** The checker's verdict on a history. JSON-serialisable. */
export interface CheckReport {
  /** Injected faults by kind. */
  readonly faults: Readonly<Record<string, number>>;
  readonly totalFaults: number;
  readonly properties: Readonly<Record<PropertyName, PropertyResult>>;
  readonly staleActs: { readonly singleton: StaleActCounts; readonly lock: StaleActCounts };
  readonly info: CheckInfo;
  /** Sum of every property's violations. */
  readonly violations: number;
}

/** Counts one property's instances while a check walks the history, keeping the first few violations. */
export class PropertyTally {
  readonly #maxExamples: number;
  #checked = 0;
  #violations = 0;
  readonly #examples: (readonly HistoryLine[])[] = [];

  constructor(maxExamples: number) {
    this.#maxExamples = maxExamples;
  }

  pass(): void {
    this.#checked += 1;
  }

  /** One violated instance; `evidence` are the lines that show it, the offender first. */
  fail(evidence: readonly HistoryLine[]): void {
    this.#checked += 1;
    this.#violations += 1;
    if (this.#examples.length < this.#maxExamples) this.#examples.push(evidence);
  }

  result(): PropertyResult {
    return { checked: this.#checked, violations: this.#violations, examples: [...this.#examples] };
  }
}
