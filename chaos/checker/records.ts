import type { CellPhase } from '../../src/api/cell.js';
import type { RecordLine } from '../history.js';
import { PropertyTally } from './check-report.js';
import type { IncarnationFate, IncarnationTruth } from './cell-truth.js';

/** The phase a converged Cell record shows for an incarnation's fate (`src/api/cell.ts`). */
const PHASE_OF_FATE: Readonly<Record<IncarnationFate, CellPhase>> = {
  alive: 'Present',
  departed: 'Departed',
  lost: 'Lost',
};

export interface RecordResult {
  readonly notConverged: PropertyTally;
  readonly recordsForUnknownCells: number;
}

/**
 * Each sampled Cell record must describe its cell's latest incarnation with the phase of that incarnation's
 * fate. A record naming an older incarnation has not converged either. A record without an incarnation is
 * judged on its phase alone.
 */
export function checkRecords(
  records: readonly RecordLine[],
  latest: ReadonlyMap<string, IncarnationTruth>,
  maxExamples: number,
): RecordResult {
  const notConverged = new PropertyTally(maxExamples);
  let recordsForUnknownCells = 0;
  for (const record of records) {
    const truth = latest.get(record.cell);
    if (truth === undefined) {
      recordsForUnknownCells += 1;
      continue;
    }
    const sameIncarnation = record.incarnation === undefined || record.incarnation === truth.incarnation;
    if (sameIncarnation && record.phase === PHASE_OF_FATE[truth.fate]) notConverged.pass();
    else notConverged.fail([record, ...truth.lines]);
  }
  return { notConverged, recordsForUnknownCells };
}
