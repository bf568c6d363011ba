import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BatonError } from '../errors.js';

const run = promisify(execFile);

/** tools/consul: the Go module that builds Consul; its go.mod is the one place naming the version. */
export const CONSUL_TOOL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../tools/consul');

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
  const goMod = readFileSync(join(CONSUL_TOOL_DIR, 'go.mod'), 'utf8');
  const match = /^\s*(?:require\s+)?github\.com\/hashicorp\/consul v(\d+\.\d+\.\d+)\s*$/m.exec(goMod);
  if (match?.[1] === undefined)
    throw new ConsulBinaryError(`cannot find the Consul version in ${CONSUL_TOOL_DIR}/go.mod`);
  return match[1];
}

export function consulCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env['BATON_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'baton');
  return join(base, 'consul', version);
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
  const go = findOnPath('go', process.env);
  if (go === undefined) throw notFound(pinnedConsulVersion(), target);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  log(`building Consul from Go modules into ${target} (a cold build takes several minutes)`);
  try {
    await run(go, ['build', '-trimpath', '-ldflags', '-s -w', '-o', partial, '.'], {
      cwd: CONSUL_TOOL_DIR,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -mod=readonly`.trim() },
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    throw new ConsulBinaryError(`go build of Consul failed:\n${stderr.slice(-4000)}`, { cause });
  }
  renameSync(partial, target);
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

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
