/**
 * Baton's library API. Singletons (`Singleton`), exclusive operations (`tryLock`), fenced writes,
 * presence (`Cell`, `PresenceWatcher`, `listLiveCells`), the durable event log, the controller, and the
 * typed Consul client they all stand on.
 */
export * from './consul/index.js';
export {
  ErrorCode,
  isErrorCode,
  BatonError,
  ConfigError,
  InvalidArgumentError,
  InvalidStateError,
  AbortedError,
} from './errors.js';
export {
  Singleton,
  WorkFailedError,
  SINGLETON_EVENTS,
  SingletonEventSchema,
  HolderChangedEventSchema,
  HolderReleasedEventSchema,
  TermsMissedEventSchema,
  StepDownRequestedEventSchema,
  LockForceReleasedEventSchema,
  type SingletonEvent,
  tryLock,
  fencedPut,
  admitFencingToken,
  LockLostError,
  LostConfidenceError,
  decodeHolder,
  HolderRecordSchema,
  type SingletonOptions,
  type SingletonState,
  type SingletonEvents,
  type Leadership,
  type TermEnd,
  type TryLockOptions,
  type TryLockResult,
  type ExclusiveContext,
  type FencedPutOptions,
  type HolderRecord,
} from './singleton/index.js';
export {
  KvLayout,
  DEFAULT_ROOT,
  ROOT_ENV,
  resolveRoot,
  validateRoot,
  LockKeys,
  PresenceKeys,
  RecordKeys,
  EventKeys,
  candidateSessionName,
  parseCandidateSessionName,
  type LockOwner,
} from './layout/index.js';
export { Lease, type LeaseOptions, type LeaseEvent } from './session/lease.js';
export { LEASE_DEFAULTS } from './session/defaults.js';
export { SINGLETON_DEFAULTS, STEP_DOWN_DEFAULTS } from './singleton/defaults.js';
export {
  stepDown,
  type StepDownOptions,
  type StepDownResult,
  type LockHolder,
} from './singleton/step-down.js';
export { setSingletonPaused, type SetPausedOptions } from './singleton/pause.js';
export {
  forceReleaseLock,
  type ForceReleaseOptions,
  type ForceReleaseResult,
  type ForcedHolder,
} from './singleton/force-release.js';
export {
  superviseCommand,
  type SuperviseCommandOptions,
  type SupervisedCommand,
  type SupervisedOutcome,
  type StopDeadline,
} from './process/supervise-command.js';
export { commandEnv, BATON_VARIABLE_NAMES, type BatonVariables } from './process/command-env.js';
export { Watchdog, WatchdogLostError } from './process/watchdog.js';
export { SUPERVISION_DEFAULTS } from './process/defaults.js';
export { exitCodeOf, endedCleanly, type ChildExit } from './process/exit-status.js';
export { CELL_DEFAULTS, WATCHER_DEFAULTS } from './presence/defaults.js';
export { CONTROLLER_DEFAULTS } from './controllers/defaults.js';
export {
  DEFAULT_TIMING,
  checkTiming,
  safetyBudget,
  type TimingProfile,
  type SafetyBudget,
} from './api/timing-profile.js';
export { parseDurationMs, formatDurationMs } from './time/duration.js';
export {
  Cell,
  CellIdConflictError,
  CellRegistrationTooLargeError,
  MAX_REGISTRATION_BYTES,
  PresenceWatcher,
  PresenceLostError,
  PRESENCE_STREAM,
  PRESENCE_EVENTS,
  PresenceEventSchema,
  CellRegisteredEventSchema,
  CellUpdatedEventSchema,
  CellDepartedEventSchema,
  CellLostEventSchema,
  listCells,
  listLiveCells,
  isPresenceEvent,
  CellRegistrationSchema,
  type CellOptions,
  type CellState,
  type CellRegistration,
  type LiveCell,
  type PresenceEvent,
  type PresenceWatcherOptions,
} from './presence/index.js';
export {
  EventLog,
  EventLogContentionError,
  EventBus,
  BatonEventSchema,
  defineEventStream,
  eventTypeSchema,
  decodeEvent,
  type BatonEvent,
  type EventInput,
  type EventStream,
  type DecodedEvent,
  type ReadResult,
  type SubscribeOptions,
} from './events/index.js';
export { SINGLETON_STREAM } from './singleton/singleton-events.js';
export {
  SingletonSchema,
  CellSchema,
  type Singleton as SingletonRecord,
  type Cell as CellRecord,
  type Condition,
} from './api/index.js';
export { RecordStore, RecordNotFoundError, ApplyConflictError } from './store/index.js';
export { BatonController } from './controllers/baton-controller.js';
export { ControllerDaemon, CONTROLLER_SINGLETON } from './controllers/controller-daemon.js';
export { createRootLogger, silentLogger, childLogger, type Logger } from './log/logger.js';
export { isUnreachable, type ConsulHealth } from './runtime/consul-health.js';
