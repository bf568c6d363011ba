import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The one root logger, made at an entry point (CLI, daemon, demo) and passed down; library code never
 * makes its own. Level from BATON_LOG_LEVEL (default `info`); JSON lines to stderr. An Error logged under
 * `err` keeps its `code`, its `cause` chain and its stack (pino's `errWithCause` serializer).
 */
export function createRootLogger(name = 'baton', level = process.env['BATON_LOG_LEVEL'] ?? 'info'): Logger {
  return pino(
    { name, level, base: { pid: process.pid }, serializers: { err: pino.stdSerializers.errWithCause } },
    pino.destination(2),
  );
}

/** For library callers that pass no logger: every component defaults to it, so the library is quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * A child logger that never writes a key twice on one line: pino repeats a key a child binds again
 * (`{"component":"controller",…,"component":"presence-watcher"}`), which JSON parsers read differently.
 * A key already bound to the same value is skipped; one bound to another value is nested under the
 * parent's name for it, prefixed `sub` (`component` → `subcomponent`), so both stay readable.
 */
export function childLogger(parent: Logger, bindings: Readonly<Record<string, unknown>>): Logger {
  const bound: Readonly<Record<string, unknown>> = parent.bindings();
  const fresh: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(bindings)) {
    let name = key;
    while (name in bound && bound[name] !== value) name = `sub${name}`;
    if (!(name in bound)) fresh[name] = value;
  }
  return parent.child(fresh);
}
