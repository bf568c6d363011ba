import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { BatonError } from '../errors.js';
import { batonCacheDir, findOnPath, goBuild, pinnedModuleVersion, TOOLS_DIR } from './go-tool.js';

const run = promisify(execFile);

/** tools/consul: the Go module that builds Consul; its go.mod is the one place naming the version. */
export const CONSUL_TOOL_DIR = join(TOOLS_DIR, 'consul');

export class ConsulBinaryError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BATON_CONSUL_BINARY', message, options);
  }
}

export interface LocatedBinary {
  readonly path: string;
  readonly version: string;
  readonly source: 'CONSUL_BIN' | 'PATH' | 'cache' | 'built';
}

export interface LocateOptions {
  /** Build into the cache when nothing usable is found. Default true. */
  readonly build?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

/** The Consul release pinned in tools/consul/go.mod, e.g. `1.22.7`. */
export function pinnedConsulVersion(): string {
  const version = pinnedModuleVersion(CONSUL_TOOL_DIR, 'github.com/hashicorp/consul');
  if (version === undefined)
    throw new ConsulBinaryError(`cannot find the Consul version in ${CONSUL_TOOL_DIR}/go.mod`);
  return version;
}

export function consulCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(batonCacheDir(env), 'consul', version);
}

/**
 * Find a Consul binary: `CONSUL_BIN`, then `consul` on PATH if at least the pinned minor, then the cache
 * under ~/.cache/baton/consul/<version>/, then build it with Go into that cache.
 */
export async function locateConsul(options: LocateOptions = {}): Promise<LocatedBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((): void => undefined);
  const pinned = pinnedConsulVersion();

  const explicit = env['CONSUL_BIN'];
  if (explicit !== undefined && explicit !== '') {
    const version = await binaryVersion(explicit);
    if (version === undefined)
      throw new ConsulBinaryError(`CONSUL_BIN=${explicit} does not run "consul version"`);
    return { path: explicit, version, source: 'CONSUL_BIN' };
  }

  const onPath = findOnPath('consul', env);
  if (onPath !== undefined) {
    const version = await binaryVersion(onPath);
    if (version !== undefined && atLeastMinor(version, pinned))
      return { path: onPath, version, source: 'PATH' };
    log(`ignoring ${onPath} (version ${version ?? 'unknown'} is older than ${pinned})`);
  }

  const cached = join(consulCacheDir(pinned, env), 'consul');
  if (existsSync(cached) && (await binaryVersion(cached)) === pinned)
    return { path: cached, version: pinned, source: 'cache' };

  if (options.build === false) throw notFound(pinned, cached);
  await buildConsul(cached, log);
  return { path: cached, version: pinned, source: 'built' };
}

async function buildConsul(target: string, log: (line: string) => void): Promise<void> {
  if (findOnPath('go', process.env) === undefined) throw notFound(pinnedConsulVersion(), target);
  log(`building Consul from Go modules into ${target} (a cold build takes several minutes)`);
  await goBuild(CONSUL_TOOL_DIR, target, (message, cause) => new ConsulBinaryError(message, { cause }));
}

function notFound(version: string, cached: string): ConsulBinaryError {
  return new ConsulBinaryError(
    [
      `no Consul ${version} binary found. Options:`,
      '  - set CONSUL_BIN=/path/to/consul (1.14 or newer)',
      `  - put consul ${version.replace(/\.\d+$/, '')}.x on PATH`,
      `  - install Go and run "npm run consul:install" to build it into ${dirname(cached)}`,
    ].join('\n'),
  );
}

async function binaryVersion(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ['version'], { timeout: 15_000 });
    return /Consul v(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

function atLeastMinor(version: string, pinned: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [pinnedMajor = 0, pinnedMinor = 0] = pinned.split('.').map(Number);
  return major > pinnedMajor || (major === pinnedMajor && minor >= pinnedMinor);
}
