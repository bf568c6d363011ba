import { ConsulPermissionError, TxnRollbackError } from '../consul/errors.js';
import { BatonError, describeError, ErrorCode } from '../errors.js';

/** Exit codes a script can branch on. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `baton lock --try`: the resource was taken, the command was dropped. */
  dropped: 3,
  unreachable: 4,
  /** Consul's ACLs refused the token a permission the command needs. */
  permissionDenied: 5,
  /** `run`/`lock`/`cell`: the command exists but cannot be executed (shell convention). */
  notExecutable: 126,
  /** `run`/`lock`/`cell`: the command was not found (shell convention). */
  notFound: 127,
} as const;

/** A CLI failure with the message a person sees and the exit code a script sees. */
export class CliError extends BatonError {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.Cli, message, options);
  }
}

/** The exit code for each error code that has its own; every other error exits with `failure`. */
const EXIT_CODE_BY_ERROR: Readonly<Partial<Record<ErrorCode, number>>> = {
  [ErrorCode.Config]: ExitCode.usage,
  [ErrorCode.ConsulUnreachable]: ExitCode.unreachable,
  [ErrorCode.ConsulPermissionDenied]: ExitCode.permissionDenied,
};

/** The exit code a script sees for any thrown value (a `CliError` carries its own). */
export function exitCodeFor(error: unknown): number {
  if (permissionDenial(error) !== undefined) return ExitCode.permissionDenied;
  if (error instanceof CliError) return error.exitCode;
  if (!(error instanceof BatonError)) return ExitCode.failure;
  return EXIT_CODE_BY_ERROR[error.code] ?? ExitCode.failure;
}

/** Print one actionable line to stderr and pick the exit code for any thrown value. */
export function reportAndExitCode(error: unknown): number {
  const denied = permissionDenial(error);
  if (denied !== undefined) {
    process.stderr.write(
      `baton: Consul denied a permission: ${denied}\n` +
        'baton: give the ACL token (--token-file, --token or CONSUL_HTTP_TOKEN) the policy for this role ' +
        'from manifests/acl/ (baton acl-policy renders it for your --root)\n',
    );
  } else {
    process.stderr.write(`baton: ${describeError(error)}\n`);
  }
  return exitCodeFor(error);
}

/**
 * Consul's reason when an ACL refusal is behind `error` or its causes: a 403, or a transaction that
 * Consul rolled back (409) because an operation was denied (`/v1/txn` reports denials per operation).
 */
function permissionDenial(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 10; depth += 1) {
    if (cause instanceof ConsulPermissionError) return cause.consulMessage.trim() || cause.message;
    if (cause instanceof TxnRollbackError) {
      const denied = cause.errors.find((op) => /permission denied/i.test(op.what));
      if (denied !== undefined) return denied.what;
    }
    cause = cause.cause;
  }
  return undefined;
}
