/**
 * Every error Baton throws on purpose carries a stable `code`; callers branch on it (or on `instanceof`),
 * never on message text.
 */
export class BatonError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or flags: a person must change something before retrying. */
export class ConfigError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BATON_CONFIG', message, options);
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortedError extends BatonError {
  constructor(message = 'operation aborted', options?: { cause?: unknown }) {
    super('BATON_ABORTED', message, options);
  }
}

/** Narrow an unknown thrown value to a message a log line can carry. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
