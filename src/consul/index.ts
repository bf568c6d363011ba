export { ConsulClient } from './client.js';
export {
  resolveConsulConfig,
  type ConsulConfig,
  type ConsulConfigOverrides,
  type ConsulTlsOptions,
} from './config.js';
export type {
  Consistency,
  ConsulRequestStats,
  ConsulRequestObservation,
  ConsulRequestObserver,
} from './http.js';
export type { Indexed, PutOptions, DeleteOptions, ReadOptions } from './kv.js';
export type { SessionCreateOptions } from './session.js';
export type { TtlCheckOptions } from './agent.js';
export type { AclPolicy, AclPolicyCreateOptions, AclToken, AclTokenCreateOptions } from './acl.js';
export { MAX_TXN_OPS, type TxnOp } from './txn.js';
export { blockingLoop, type BlockingRead, type BlockingLoopOptions } from './blocking.js';
export type { KvEntry, SessionInfo, AgentSelf } from './wire.js';
export * from './errors.js';
