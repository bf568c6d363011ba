import type { ConsulClient } from '../consul/client.js';
import { BatonError, ConfigError, ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ConsulHealth } from '../runtime/consul-health.js';
import type { Clock } from '../time/clock.js';
import { CellSpecSchema, type CellRegistration, type CellSpec } from './cell-registration.js';

export type CellState = 'idle' | 'registering' | 'running' | 'stopping' | 'stopped' | 'failed';

/** Answers "does `sessionId` still hold `key`?" with a server-acknowledged read. */
export type PresenceConfirm = (
  key: string,
  sessionId: string,
  signal: AbortSignal,
  timeoutMs: number,
) => Promise<boolean>;

export interface CellOptions {
  readonly client: ConsulClient;
  readonly spec: CellSpec;
  /** TTL of the agent check behind the session: a hard-dead cell's key vanishes this long after its last heartbeat. @default CELL_DEFAULTS.checkTtlMs */
  readonly checkTtlMs?: number;
  /** @default CELL_DEFAULTS.heartbeatIntervalMs */
  readonly heartbeatIntervalMs?: number;
  /** The installation's KV root (see `KvLayout`): presence lives under `<root>/presence/`. @default 'baton/v1' */
  readonly root?: string;
  /** How long `start()` waits while another live session holds `cells/<id>` (a duplicate id). @default CELL_DEFAULTS.acquireTimeoutMs */
  readonly acquireTimeoutMs?: number;
  /** @default a consistent read of the cell's own presence key */
  readonly confirm?: PresenceConfirm;
  /**
   * How long `stop()` keeps retrying its departure transaction through timeouts and transient errors
   * before it gives up (the cell then reads as lost). @default CELL_DEFAULTS.departTimeoutMs
   */
  readonly departTimeoutMs?: number;
  /** Where this component logs (pino; a child logger is derived). @default silentLogger: quiet */
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export interface CellEvents {
  state: [CellState];
  registered: [CellRegistration];
  /** The session died under a running cell; it re-registers with a new incarnation. */
  lost: [{ incarnation: string; reason: string }];
  /** Consul became unreachable while re-registering, or reachable again (see `Cell.consul`). */
  consul: [ConsulHealth];
}

/** Another live session holds this cell id. */
export class CellIdConflictError extends BatonError {
  constructor(
    readonly cellId: string,
    waitedMs: number,
  ) {
    super(
      ErrorCode.CellIdConflict,
      `cell id ${cellId} is held by another live session (waited ${waitedMs} ms)`,
    );
  }
}

/** The cell's presence key is no longer held by its session: the change was not applied. */
export class PresenceLostError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PresenceLost, message, options);
  }
}

/** The default confirmation: a consistent read of the cell's own presence key. */
export function confirmKeyHeld(client: ConsulClient): PresenceConfirm {
  return async (key, sessionId, signal, timeoutMs) => {
    const { value } = await client.kv.get(key, { consistency: 'consistent', signal, timeoutMs });
    return value?.session === sessionId;
  };
}

/** A cell spec from the caller, or a ConfigError naming the first field that is wrong. */
export function parseSpec(spec: unknown): CellSpec {
  const parsed = CellSpecSchema.safeParse(spec);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'spec' : `spec.${issue.path.join('.')}`;
  throw new ConfigError(`cell ${where}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
}
