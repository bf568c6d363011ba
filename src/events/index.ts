export {
  BatonEventSchema,
  eventTypeSchema,
  defineEventStream,
  untypedStream,
  decodeEvent,
  type BatonEvent,
  type EventInput,
  type EventStream,
  type DecodedEvent,
} from './event.js';
export { EventBus, type EventListener } from './event-bus.js';
export {
  EventLog,
  EventLogContentionError,
  type EventLogOptions,
  type AppendOptions,
  type ReadResult,
  type SubscribeOptions,
} from './event-log.js';
