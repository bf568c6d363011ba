import { BatonError, describeError } from '../errors.js';

/** Exit codes a script can branch on. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** `baton lock --try`: the resource was taken, the command was dropped. */
  dropped: 3,
  unreachable: 4,
} as const;

/** A CLI failure with the message a person sees and the exit code a script sees. */
export class CliError extends BatonError {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    options?: { cause?: unknown },
  ) {
    super('BATON_CLI', message, options);
  }
}

/** Print one actionable line to stderr and pick the exit code for any thrown value. */
export function reportAndExitCode(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`baton: ${error.message}\n`);
    return error.exitCode;
  }
  const code = error instanceof BatonError ? error.code : undefined;
  process.stderr.write(`baton: ${describeError(error)}\n`);
  return code === 'CONSUL_UNREACHABLE' ? ExitCode.unreachable : ExitCode.failure;
}
