export {
  CellAddressSchema,
  CellIdSchema,
  CellSpecSchema,
  CellRegistrationSchema,
  DepartureRecordSchema,
  KnownCellSchema,
  CellOutcomeSchema,
  CellRegistrationTooLargeError,
  MAX_REGISTRATION_BYTES,
  toLiveCell,
  type CellSpec,
  type CellRegistration,
  type DepartureRecord,
  type KnownCell,
  type CellOutcome,
  type LiveCell,
} from './cell-registration.js';
export {
  Cell,
  PresenceLostError,
  CellIdConflictError,
  type CellOptions,
  type CellState,
  type CellEvents,
  type PresenceConfirm,
} from './cell.js';
export { PresenceKeys } from '../layout/presence-keys.js';
export { PresenceWatcher, type PresenceWatcherOptions, type WatcherState } from './presence-watcher.js';
export {
  PRESENCE_STREAM,
  PRESENCE_EVENTS,
  PresenceEventSchema,
  CellRegisteredEventSchema,
  CellUpdatedEventSchema,
  CellDepartedEventSchema,
  CellLostEventSchema,
  isPresenceEvent,
  type PresenceEvent,
} from './presence-event.js';
export { listCells, listLiveCells, type ListCellsOptions } from './live-cells.js';
export { decodeSnapshot, type PresenceSnapshot, type Versioned } from './presence-snapshot.js';
export {
  diffSnapshot,
  reportsLoss,
  type CellChange,
  type PresenceDiff,
  type PresenceEventType,
  type PresenceReason,
  type PresenceTransition,
} from './snapshot-diff.js';
