export { API_VERSION, NameSchema, ObjectMetaSchema, type ObjectMeta } from './metadata.js';
export {
  ConditionSchema,
  setCondition,
  findCondition,
  type Condition,
  type ConditionUpdate,
} from './condition.js';
export {
  SingletonSchema,
  SingletonSpecSchema,
  SingletonStatusSchema,
  SingletonTimingSchema,
  resolveTiming,
  type Singleton,
  type SingletonSpec,
  type SingletonStatus,
  type SingletonTiming,
} from './singleton.js';
export {
  CellSchema,
  CellSpecSchema,
  CellStatusSchema,
  CellPhaseSchema,
  type Cell,
  type CellSpec,
  type CellStatus,
  type CellPhase,
} from './cell.js';
export { KINDS, SingletonKind, CellKind, findKind, type BatonRecord, type KindDefinition } from './kinds.js';
export { formatIssuePath } from './issue-path.js';
export { jsonSchemas, renderJsonSchema } from './json-schemas.js';
