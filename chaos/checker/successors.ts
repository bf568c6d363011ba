import type { ActLine, ExpectSuccessorLine } from '../history.js';
import { PropertyTally } from './check-report.js';
import { groupBy } from './history-index.js';

/** Index of the first element of ascending `times` that is >= `t` (`times.length` if none). */
function firstAtOrAfter(times: readonly number[], t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] ?? Number.POSITIVE_INFINITY) < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Each `expect-successor` line needs an act on its resource in `[t, t + withinMs]`: after a fault heals, a
 * singleton or lock must have a live worker again. `currentActs` are the acts that were not stale, sorted by
 * `t`: an old term's worker resuming and acting (refused or not) is no successor.
 */
export function checkSuccessors(
  expectations: readonly ExpectSuccessorLine[],
  currentActs: readonly ActLine[],
  maxExamples: number,
): PropertyTally {
  const tally = new PropertyTally(maxExamples);
  const timesByResource = new Map<string, number[]>();
  for (const [resource, resourceActs] of groupBy(currentActs, (act) => act.resource)) {
    timesByResource.set(
      resource,
      resourceActs.map((act) => act.t),
    );
  }
  for (const expectation of expectations) {
    const times = timesByResource.get(expectation.resource) ?? [];
    const next = times[firstAtOrAfter(times, expectation.t)];
    if (next !== undefined && next <= expectation.t + expectation.withinMs) tally.pass();
    else tally.fail([expectation]);
  }
  return tally;
}
