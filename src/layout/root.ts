import { ConfigError } from '../errors.js';

/** The KV root of an installation unless told otherwise (`--root`, `BATON_ROOT`, the `root` option). */
export const DEFAULT_ROOT = 'baton/v1';

/** The environment variable naming the KV root. */
export const ROOT_ENV = 'BATON_ROOT';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Check a KV root (`team-a/baton`): one or more plain path segments, no leading or trailing `/`. Two
 * installations share one Consul when neither root is a prefix path of the other.
 */
export function validateRoot(root: string): string {
  const trimmed = root.replace(/\/+$/, '');
  const segments = trimmed.split('/');
  if (trimmed === '' || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new ConfigError(
      `KV root "${root}" must be path segments of letters, digits, ".", "_" or "-" separated by "/" ` +
        `(e.g. ${DEFAULT_ROOT} or staging/baton)`,
    );
  }
  return trimmed;
}

/** The root an entry point uses: the explicit one, else `BATON_ROOT`, else the default. */
export function resolveRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[ROOT_ENV];
  return validateRoot(explicit ?? (fromEnv === undefined || fromEnv === '' ? DEFAULT_ROOT : fromEnv));
}

/** A library component's `root` option: validated, defaulted (libraries do not read the environment). */
export function resolveRootOption(root: string | undefined): string {
  return root === undefined ? DEFAULT_ROOT : validateRoot(root);
}
