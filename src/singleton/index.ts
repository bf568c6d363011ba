export {
  Singleton,
  WorkFailedError,
  type SingletonOptions,
  type SingletonState,
  type SingletonEvents,
} from './elector.js';
export {
  SINGLETON_STREAM,
  SINGLETON_EVENTS,
  SingletonEventSchema,
  HolderChangedEventSchema,
  HolderReleasedEventSchema,
  TermsMissedEventSchema,
  StepDownRequestedEventSchema,
  LockForceReleasedEventSchema,
  type SingletonEvent,
} from './singleton-events.js';
export type { Leadership, TermEnd } from './term.js';
export { LostConfidenceError } from './term.js';
export { fencedPut, admitFencingToken, LockLostError, type FencedPutOptions } from './fencing.js';
export { tryLock, type TryLockOptions, type TryLockResult, type ExclusiveContext } from './try-lock.js';
export { HolderRecordSchema, decodeHolder, type HolderRecord } from './holder-record.js';
