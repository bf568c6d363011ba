import { BatonError, ErrorCode } from '../errors.js';

/** Consul could not be reached at all (connection refused, DNS, TLS handshake). */
export class ConsulUnreachableError extends BatonError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(
      ErrorCode.ConsulUnreachable,
      `cannot reach Consul at ${address}: check CONSUL_HTTP_ADDR (or --consul) and that the agent is running`,
      options,
    );
  }
}

/** No response within the client-side deadline (a hung connection, a partition). */
export class ConsulTimeoutError extends BatonError {
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.ConsulTimeout, `Consul did not answer ${path} within ${timeoutMs} ms`, options);
  }
}

/** Consul answered with an HTTP error status; `consulMessage` is Consul's own body text. */
export class ConsulHttpError extends BatonError {
  constructor(
    readonly status: number,
    readonly path: string,
    readonly consulMessage: string,
    code: ErrorCode = ErrorCode.ConsulHttp,
  ) {
    super(code, `Consul answered ${status} to ${path}: ${consulMessage.trim() || '(empty body)'}`);
  }
}

/** The ACL token lacks a permission (403). */
export class ConsulPermissionError extends ConsulHttpError {
  constructor(path: string, consulMessage: string) {
    super(403, path, consulMessage, ErrorCode.ConsulPermissionDenied);
  }
}

/** A session named in the request does not exist (expired, invalidated or destroyed). */
export class InvalidSessionError extends ConsulHttpError {
  constructor(status: number, path: string, consulMessage: string) {
    super(status, path, consulMessage, ErrorCode.ConsulInvalidSession);
  }
}

/** A check-and-set write lost: someone else changed the key first. */
export class CasConflictError extends BatonError {
  constructor(
    readonly key: string,
    readonly expectedIndex: number,
  ) {
    super(ErrorCode.ConsulCasConflict, `key ${key} changed since index ${expectedIndex}`);
  }
}

/** One operation inside a /v1/txn failed, so the whole transaction was rolled back. */
export interface TxnOpError {
  readonly opIndex: number;
  readonly what: string;
}

export class TxnRollbackError extends BatonError {
  constructor(readonly errors: readonly TxnOpError[]) {
    super(
      ErrorCode.ConsulTxnRollback,
      `transaction rolled back: ${errors.map((e) => `op ${e.opIndex}: ${e.what}`).join('; ')}`,
    );
  }
}

/** Consul's body did not have the shape we expected (version mismatch or a proxy in the way). */
export class ConsulProtocolError extends BatonError {
  constructor(path: string, options?: { cause?: unknown }) {
    super(ErrorCode.ConsulProtocol, `unexpected response shape from Consul for ${path}`, options);
  }
}
