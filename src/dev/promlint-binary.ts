import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BatonError } from '../errors.js';
import { batonCacheDir, goBuild, pinnedModuleVersion, TOOLS_DIR } from './go-tool.js';

/**
 * tools/promlint: `promtool check metrics` (client_golang's text parser + promlint) as a tiny Go program,
 * built like Consul because no registry reachable from here ships promtool.
 */
export const PROMLINT_TOOL_DIR = join(TOOLS_DIR, 'promlint');

export class PromlintBinaryError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BATON_PROMLINT_BINARY', message, options);
  }
}

/** The client_golang release pinned in tools/promlint/go.mod: the linter's rules are that release's. */
export function pinnedPromlintVersion(): string {
  const version = pinnedModuleVersion(PROMLINT_TOOL_DIR, 'github.com/prometheus/client_golang');
  if (version === undefined)
    throw new PromlintBinaryError(`cannot find the client_golang version in ${PROMLINT_TOOL_DIR}/go.mod`);
  return version;
}

/**
 * `PROMLINT_BIN`, else `~/.cache/baton/promlint/<client_golang version>/promlint`, built with Go on first
 * use (a few seconds once the module cache is warm).
 */
export async function locatePromlint(
  options: { readonly env?: NodeJS.ProcessEnv; readonly log?: (line: string) => void } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const explicit = env['PROMLINT_BIN'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const version = pinnedPromlintVersion();
  const cached = join(batonCacheDir(env), 'promlint', version, 'promlint');
  if (existsSync(cached)) return cached;
  options.log?.(`building promlint (client_golang ${version}) into ${cached}`);
  await goBuild(PROMLINT_TOOL_DIR, cached, (message, cause) => new PromlintBinaryError(message, { cause }));
  return cached;
}
