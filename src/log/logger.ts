import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The one root logger, made at an entry point (CLI, daemon, demo) and passed down; library code never
 * makes its own. Level from BATON_LOG_LEVEL (default `info`); JSON lines to stderr.
 */
export function createRootLogger(name = 'baton', level = process.env['BATON_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2));
}

/** For library callers that pass no logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
