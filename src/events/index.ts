export { BatonEventSchema, type BatonEvent, type EventInput } from './event.js';
export { EventBus, type EventListener } from './event-bus.js';
export {
  EventLog,
  EventLogContentionError,
  type EventLogOptions,
  type AppendOptions,
  type ReadResult,
  type SubscribeOptions,
} from './event-log.js';
