import type { HistoryLine, LogLine } from '../history.js';
import { PropertyTally } from './check-report.js';
import type { IncarnationTruth } from './cell-truth.js';
import { groupBy, incarnationKey, type HistoryIndex } from './history-index.js';

export interface CellLostResult {
  readonly lostMissing: PropertyTally;
  readonly lostDuplicate: PropertyTally;
  readonly lostFalse: PropertyTally;
  readonly departureMissing: PropertyTally;
  readonly eventsForUnknownIncarnations: number;
}

/** The committed presence events of one type, grouped by incarnation key. */
export function presenceEvents(
  index: HistoryIndex,
  type: 'CellLost' | 'CellDeparted' | 'CellRegistered',
): Map<string, LogLine[]> {
  const events = [...(index.log.get('presence')?.values() ?? [])].filter(
    (line) => line.type === type && line.incarnation !== undefined,
  );
  return groupBy(events, (line) => incarnationKey(line.subject, line.incarnation ?? ''));
}

/**
 * CellLost correctness, judged on the durable log (what was committed) against what really happened to each
 * incarnation: a hard-dead one gets exactly one CellLost seq; a departed one never gets CellLost, and gets
 * CellRegistered then CellDeparted, whether a watcher saw it live or not; a live one never gets CellLost.
 */
export function checkCellLost(
  index: HistoryIndex,
  truths: ReadonlyMap<string, IncarnationTruth>,
  maxExamples: number,
): CellLostResult {
  const result = {
    lostMissing: new PropertyTally(maxExamples),
    lostDuplicate: new PropertyTally(maxExamples),
    lostFalse: new PropertyTally(maxExamples),
    departureMissing: new PropertyTally(maxExamples),
  };
  const lost = presenceEvents(index, 'CellLost');
  const departed = presenceEvents(index, 'CellDeparted');
  const registered = presenceEvents(index, 'CellRegistered');
  for (const [key, truth] of truths) {
    const lostSeqs = lost.get(key) ?? [];
    const truthLines: readonly HistoryLine[] = truth.lines;
    if (truth.fate === 'lost') {
      if (lostSeqs.length === 0) result.lostMissing.fail(truthLines);
      else result.lostMissing.pass();
      if (lostSeqs.length > 1) result.lostDuplicate.fail([...lostSeqs, ...truthLines]);
      else result.lostDuplicate.pass();
      continue;
    }
    if (lostSeqs.length > 0) result.lostFalse.fail([...lostSeqs, ...truthLines]);
    else result.lostFalse.pass();
    // Every clean departure is reported, registered then departed: also an incarnation that came and went
    // while no watcher ran (a controller failover), which the watcher learns of from its departure record.
    if (truth.fate !== 'departed') continue;
    if (registeredThenDeparted(registered.get(key), departed.get(key))) result.departureMissing.pass();
    else result.departureMissing.fail(truthLines);
  }
  const unknown = [...lost, ...departed].filter(([key]) => !truths.has(key));
  return {
    ...result,
    eventsForUnknownIncarnations: unknown.reduce((sum, [, lines]) => sum + lines.length, 0),
  };
}

/** Whether both events were logged, the first CellRegistered before the first CellDeparted. */
function registeredThenDeparted(
  registered: readonly LogLine[] | undefined,
  departed: readonly LogLine[] | undefined,
): boolean {
  const first = (lines: readonly LogLine[] | undefined): number =>
    Math.min(...(lines ?? []).map((line) => line.seq));
  return first(registered) < first(departed) && Number.isFinite(first(departed));
}
