/**
 * The one catalogue of error codes. Every error Baton throws on purpose is a `BatonError` whose `code`
 * is one of these literals; callers branch on the code (or on `instanceof`), never on message text. A
 * code, once released, keeps its meaning. The CLI maps codes to exit codes in `cli/exit.ts`.
 */
export const ErrorCode = {
  /** Bad configuration, options or flags: a person must change something before retrying. */
  Config: 'BATON_CONFIG',
  /** An argument outside what the function accepts (a programming error, not configuration). */
  InvalidArgument: 'BATON_INVALID_ARGUMENT',
  /** A call the component's lifecycle state does not allow (started twice, not registered yet). */
  InvalidState: 'BATON_INVALID_STATE',
  /** The operation was cancelled through its AbortSignal. */
  Aborted: 'BATON_ABORTED',
  /** A reconcile failure retrying cannot fix. */
  Terminal: 'BATON_TERMINAL',
  /** The caller's lock (a singleton's or an exclusive operation's) is no longer held. */
  LockLost: 'BATON_LOCK_LOST',
  /** A term's work stopped: no server confirmation within the safety budget. */
  LostConfidence: 'BATON_LOST_CONFIDENCE',
  /** A singleton's `work` threw: the singleton stopped in state `failed` (`cause` is the work's error). */
  WorkFailed: 'BATON_WORK_FAILED',
  /** The watchdog process that enforces stop deadlines is gone. */
  WatchdogLost: 'BATON_WATCHDOG_LOST',
  /** The durable event log's head kept moving under an append. */
  EventLogContention: 'BATON_EVENT_LOG_CONTENTION',
  /** Another live session holds this cell id. */
  CellIdConflict: 'BATON_CELL_ID_CONFLICT',
  /** A cell registration over the size limit. */
  CellRegistrationTooLarge: 'BATON_CELL_REGISTRATION_TOO_LARGE',
  /** A cell's presence key is no longer held by its session. */
  PresenceLost: 'BATON_PRESENCE_LOST',
  /** Building or locating the Consul binary (development tooling) failed. */
  ConsulBinary: 'BATON_CONSUL_BINARY',
  /** Building or locating the promlint tool (development tooling) failed. */
  PromlintBinary: 'BATON_PROMLINT_BINARY',
  /** Locating a Chromium for the browser test (development tooling) failed. */
  ChromiumBinary: 'BATON_CHROMIUM_BINARY',
  /** A chaos campaign history file that does not parse (test tooling). */
  ChaosHistory: 'BATON_CHAOS_HISTORY',
  /** A CLI failure carrying its own exit code. */
  Cli: 'BATON_CLI',
  /** Consul could not be reached (connection refused, DNS, TLS handshake). */
  ConsulUnreachable: 'CONSUL_UNREACHABLE',
  /** Consul did not answer within the client-side deadline. */
  ConsulTimeout: 'CONSUL_TIMEOUT',
  /** Consul answered with an HTTP error status. */
  ConsulHttp: 'CONSUL_HTTP',
  /** Consul's ACLs refused the token a permission (403). */
  ConsulPermissionDenied: 'CONSUL_PERMISSION_DENIED',
  /** A session named in the request does not exist any more. */
  ConsulInvalidSession: 'CONSUL_INVALID_SESSION',
  /** A check-and-set write lost to a concurrent writer. */
  ConsulCasConflict: 'CONSUL_CAS_CONFLICT',
  /** A `/v1/txn` transaction was rolled back (see `errors` for the operations). */
  ConsulTxnRollback: 'CONSUL_TXN_ROLLBACK',
  /** Consul's answer did not have the expected shape. */
  ConsulProtocol: 'CONSUL_PROTOCOL',
  /** A record does not exist. */
  StoreNotFound: 'STORE_NOT_FOUND',
  /** A record changed while `apply` wrote it. */
  StoreApplyConflict: 'STORE_APPLY_CONFLICT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Whether `code` is in the catalogue (for tests and for callers decoding codes from elsewhere). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/** The base of every error Baton throws on purpose: a stable `code` from `ErrorCode`, `cause` for the origin. */
export class BatonError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or flags: a person must change something before retrying. */
export class ConfigError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Config, message, options);
  }
}

/** An argument outside what the function accepts: the caller's code must change. */
export class InvalidArgumentError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidArgument, message, options);
  }
}

/** A call the component's lifecycle does not allow now (e.g. `start()` twice). */
export class InvalidStateError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidState, message, options);
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortedError extends BatonError {
  constructor(message = 'operation aborted', options?: { cause?: unknown }) {
    super(ErrorCode.Aborted, message, options);
  }
}

/** Narrow an unknown thrown value to a one-line message (for people; logs take the Error itself). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
