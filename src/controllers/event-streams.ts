import type { BatonRecord } from '../api/kinds.js';
import { PRESENCE_STREAM } from '../presence/presence-event.js';
import { SINGLETON_STREAM } from '../singleton/singleton-events.js';

/** Every durable event stream the controller follows and `/events` serves, in id order. */
export const EVENT_STREAMS: readonly string[] = [PRESENCE_STREAM, SINGLETON_STREAM];

/** The stream that carries a record kind's events (a cell's presence, a singleton's holder changes). */
export function streamOfKind(kind: BatonRecord['kind']): string {
  return kind === 'Cell' ? PRESENCE_STREAM : SINGLETON_STREAM;
}
