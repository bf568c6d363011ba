export { RecordStore, type RecordStoreOptions, type WriteResult } from './record-store.js';
export { RecordKeys, type RecordPart } from '../layout/record-keys.js';
export type { RecordEntry, ValidEntry, InvalidEntry, RecordError } from './record-entry.js';
export { decodeRecords, decodeRecord, encodeSpecDocument } from './decode-records.js';
export { planSpecWrite, type PlannedWrite, type WriteAction } from './plan-write.js';
export {
  applyRecords,
  ApplyConflictError,
  type ApplyOutcome,
  type ApplyRecordsOptions,
} from './apply-records.js';
export { RecordNotFoundError } from './errors.js';
