export { KvLayout } from './kv-layout.js';
export { DEFAULT_ROOT, ROOT_ENV, resolveRoot, validateRoot } from './root.js';
export { LockKeys, type LockOwner } from './lock-keys.js';
export { PresenceKeys } from './presence-keys.js';
export { RecordKeys, type RecordPart } from './record-keys.js';
export { EventKeys } from './event-keys.js';
export { assertSingletonName, assertResourceName, assertStreamName } from './names.js';
export { candidateSessionName, parseCandidateSessionName } from './session-names.js';
export {
  ACL_ROLES,
  aclPolicyTemplate,
  renderAclPolicy,
  type AclRole,
  type AclPolicyValues,
} from './acl-policy.js';
