export { checkHistory, DEFAULT_CHECK_OPTIONS, type CheckOptions } from './check-history.js';
export {
  PROPERTIES,
  PROPERTY_NAMES,
  type CheckInfo,
  type CheckReport,
  type PropertyName,
  type PropertyResult,
  type StaleActCounts,
} from './check-report.js';
export { formatExamples, formatReport } from './format-report.js';
export { HistoryLineSchema, parseHistoryLine } from './history-schema.js';
export { HistoryFormatError, readHistory } from './read-history.js';
