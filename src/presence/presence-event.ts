import type { BatonEvent } from '../events/event.js';
import type { CellRegistration } from './cell-registration.js';
import type { PresenceEventType, PresenceReason } from './snapshot-diff.js';

/** The stream name presence events are logged under. */
export const PRESENCE_STREAM = 'presence';

/** A presence event: `subject` is the cell id, `data.registration` the registration it refers to. */
export interface PresenceEvent extends BatonEvent {
  readonly type: PresenceEventType;
  readonly reason: PresenceReason;
  readonly incarnation: string;
  readonly data: { readonly registration: CellRegistration };
}

export function isPresenceEvent(event: BatonEvent): event is PresenceEvent {
  return (
    event.type === 'CellRegistered' ||
    event.type === 'CellUpdated' ||
    event.type === 'CellDeparted' ||
    event.type === 'CellLost'
  );
}
