export {
  PrefixInformer,
  type PrefixInformerOptions,
  type InformerState,
  type ChangeHandler,
} from './prefix-informer.js';
export { diffSnapshots, type KvChange, type ChangeType } from './diff-snapshots.js';
