import { z } from 'zod';
import { defineEventStream, eventTypeSchema, type BatonEvent } from '../events/event.js';
import { CellRegistrationSchema } from './cell-registration.js';

/** The stream name presence events are logged under. */
export const PRESENCE_STREAM = 'presence';

/** `data` of every presence event: the registration the event is about (the old one for Lost/Departed). */
const PresenceDataSchema = z.object({ registration: CellRegistrationSchema });

/** A presence event's envelope: `subject` is the cell id, `incarnation` the registration's. */
function presenceEventSchema<const T extends string, const R extends readonly [string, ...string[]]>(
  type: T,
  reasons: R,
) {
  return eventTypeSchema(type, reasons, PresenceDataSchema).extend({ incarnation: z.string() });
}

/** A cell registered a new incarnation. */
export const CellRegisteredEventSchema = presenceEventSchema('CellRegistered', ['Registered']);
/** A live incarnation changed what it advertises. */
export const CellUpdatedEventSchema = presenceEventSchema('CellUpdated', ['RegistrationChanged']);
/** An incarnation left cleanly (it wrote a departure record). */
export const CellDepartedEventSchema = presenceEventSchema('CellDeparted', ['DepartureRecorded']);
/**
 * An incarnation ended without a departure record: `SessionInvalidated` (the presence key vanished: TTL,
 * serfHealth) or `Reincarnated` (a new incarnation replaced it: crash and restart).
 */
export const CellLostEventSchema = presenceEventSchema('CellLost', ['SessionInvalidated', 'Reincarnated']);

/** Every presence event: narrow on `type`, then `reason` is typed and `data.registration` is there. */
export const PresenceEventSchema = z.discriminatedUnion('type', [
  CellRegisteredEventSchema,
  CellUpdatedEventSchema,
  CellDepartedEventSchema,
  CellLostEventSchema,
]);

export type PresenceEvent = z.infer<typeof PresenceEventSchema>;
export type PresenceEventType = PresenceEvent['type'];
export type PresenceReason = PresenceEvent['reason'];

/** The presence stream, typed: `new EventLog({ client, stream: PRESENCE_EVENTS })` reads `PresenceEvent`s. */
export const PRESENCE_EVENTS = defineEventStream<PresenceEvent>(PRESENCE_STREAM, PresenceEventSchema);

/** Whether `event` is a well-formed presence event (checked against the schema, not only its type). */
export function isPresenceEvent(event: BatonEvent): event is PresenceEvent {
  return PresenceEventSchema.safeParse(event).success;
}
