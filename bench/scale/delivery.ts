import type { Change } from './protocol.js';
import { expectedEvent } from './recorder.js';
import type { Fleet } from './topology.js';
import { until } from './stats.js';

export interface Delivery {
  readonly change: Change;
  readonly event: string;
  /** Subscriber receivedAt; undefined when the event never came. */
  readonly receivedAt: number | undefined;
}

/** Wait (up to `timeoutMs`) until every change's event reached the subscriber; report each one's arrival. */
export async function awaitDelivered(
  fleet: Fleet,
  changes: readonly Change[],
  timeoutMs: number,
): Promise<Delivery[]> {
  const expected = changes.flatMap((change) => {
    const event = expectedEvent(change);
    return event === undefined ? [] : [{ change, event }];
  });
  const arrival = ({ change, event }: { change: Change; event: string }): number | undefined =>
    fleet.events.receivedAt(event, change.id, change.incarnation);
  await until(() => expected.every((item) => arrival(item) !== undefined), timeoutMs, 200);
  return expected.map((item) => ({ ...item, receivedAt: arrival(item) }));
}

/** Ids whose CellLost for their incarnation arrived, with the arrival times. */
export function lostArrivals(fleet: Fleet, victims: ReadonlyMap<string, string>): Map<string, number> {
  const arrivals = new Map<string, number>();
  for (const [id, incarnation] of victims) {
    const at = fleet.events.receivedAt('CellLost', id, incarnation);
    if (at !== undefined) arrivals.set(id, at);
  }
  return arrivals;
}

/** id → current incarnation of every cell in `ids`. */
export function incarnations(fleet: Fleet, ids: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const id of ids) {
    const incarnation = fleet.changes.incarnation(id);
    if (incarnation !== undefined) result.set(id, incarnation);
  }
  return result;
}
