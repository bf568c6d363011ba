import type { LogLine, RecvLine, SubscriberLine } from '../history.js';
import { PropertyTally } from './check-report.js';
import type { HistoryIndex } from './history-index.js';

export interface SubscriberResult {
  readonly missed: PropertyTally;
  readonly corrupt: PropertyTally;
  readonly duplicateDeliveries: number;
  readonly recvsWithoutLogLine: number;
}

function receiptKey(sub: string, stream: string): string {
  return JSON.stringify([sub, stream]);
}

function inGap(seq: number, subscriber: SubscriberLine): boolean {
  // Gap ranges are inclusive on both ends, as `EventLog`'s `onGap(fromSeq, toSeq)` reports them.
  return subscriber.gaps?.some(([from, to]) => seq >= from && seq <= to) === true;
}

/** A receipt that is not the logged event of its seq (the incarnation is compared when both carry one). */
function disagrees(recv: RecvLine, logged: LogLine): boolean {
  if (logged.type !== recv.type || logged.subject !== recv.subject) return true;
  return (
    recv.incarnation !== undefined &&
    logged.incarnation !== undefined &&
    recv.incarnation !== logged.incarnation
  );
}

/**
 * Every subscriber gets every event of its span: each logged seq of its stream in `(fromSeq, toSeq]`, minus
 * the gaps it was told about, must be among its receipts. Receiving a seq twice is allowed (at-least-once:
 * consumers dedupe by seq) and only counted; receiving a seq whose type, subject or incarnation differ from the log's is a
 * violation (one checked instance per receipt with a log line to compare).
 */
export function checkSubscribers(index: HistoryIndex, maxExamples: number): SubscriberResult {
  const missed = new PropertyTally(maxExamples);
  const corrupt = new PropertyTally(maxExamples);
  const received = new Map<string, Map<number, RecvLine>>();
  let duplicateDeliveries = 0;
  let recvsWithoutLogLine = 0;
  for (const recv of index.recvs) {
    const key = receiptKey(recv.sub, recv.stream);
    const seqs = received.get(key) ?? new Map<number, RecvLine>();
    received.set(key, seqs);
    if (seqs.has(recv.seq)) duplicateDeliveries += 1;
    else seqs.set(recv.seq, recv);
    const logged = index.log.get(recv.stream)?.get(recv.seq);
    if (logged === undefined) recvsWithoutLogLine += 1;
    else if (disagrees(recv, logged)) corrupt.fail([recv, logged]);
    else corrupt.pass();
  }
  for (const subscriber of index.subscribers) {
    const seqs = received.get(receiptKey(subscriber.sub, subscriber.stream));
    for (const [seq, logged] of index.log.get(subscriber.stream) ?? []) {
      if (seq <= subscriber.fromSeq || seq > subscriber.toSeq || inGap(seq, subscriber)) continue;
      if (seqs?.has(seq) === true) missed.pass();
      else missed.fail([subscriber, logged]);
    }
  }
  return { missed, corrupt, duplicateDeliveries, recvsWithoutLogLine };
}
