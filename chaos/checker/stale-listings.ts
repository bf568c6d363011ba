import type { ListingLine, RecvLine } from '../history.js';
import { PropertyTally } from './check-report.js';
import { incarnationKey, type HistoryIndex } from './history-index.js';

/**
 * The first receipt, by any subscriber, of each committed CellLost, keyed by incarnation. A subscriber can
 * only receive a committed event, so that receipt's `t` bounds the commit from above. A receipt counts only
 * when its type and subject agree with the log line of its seq (a corrupt one proves nothing).
 */
function firstLostReceipts(index: HistoryIndex): Map<string, RecvLine> {
  const log = index.log.get('presence');
  const first = new Map<string, RecvLine>();
  for (const recv of index.recvs) {
    if (recv.stream !== 'presence') continue;
    const logged = log?.get(recv.seq);
    if (logged?.type !== 'CellLost' || logged.incarnation === undefined) continue;
    if (recv.type !== logged.type || recv.subject !== logged.subject) continue;
    const key = incarnationKey(logged.subject, logged.incarnation);
    if (!first.has(key)) first.set(key, recv);
  }
  return first;
}

/**
 * A listing sampled at `t` must not contain an incarnation whose CellLost some subscriber had already
 * received before `t`: the cell was gone and committed as gone, yet a scheduler would still see it.
 * `index.recvs` must be sorted by `t`. Each (listing, entry) pair is one checked instance.
 */
export function checkStaleListings(index: HistoryIndex, maxExamples: number): PropertyTally {
  const tally = new PropertyTally(maxExamples);
  const receipts = firstLostReceipts(index);
  for (const listing of index.listings) {
    for (const entry of listing.cells) {
      const receipt = receipts.get(incarnationKey(entry.cell, entry.incarnation));
      if (receipt !== undefined && receipt.t < listing.t) tally.fail(evidence(listing, entry, receipt));
      else tally.pass();
    }
  }
  return tally;
}

function evidence(listing: ListingLine, entry: ListingLine['cells'][number], receipt: RecvLine) {
  // The listing narrowed to the offending entry keeps an example readable on a large fleet.
  return [{ ...listing, cells: [entry] }, receipt];
}
