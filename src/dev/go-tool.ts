import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BatonError } from '../errors.js';

const run = promisify(execFile);

/** The repository's `tools/` folder: one small Go module per binary the tests need (consul, promlint). */
export const TOOLS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../tools');

/** Where Baton caches built tools: `$BATON_CACHE_DIR`, else `$XDG_CACHE_HOME/baton`, else `~/.cache/baton`. */
export function batonCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['BATON_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'baton');
}

/** The version `tools/<tool>/go.mod` requires of `module` (e.g. `1.22.7`), the one place naming it. */
export function pinnedModuleVersion(toolDir: string, module: string): string | undefined {
  const goMod = readFileSync(join(toolDir, 'go.mod'), 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped} v(\\d+\\.\\d+\\.\\d+)\\s*$`, 'm').exec(goMod);
  return match?.[1];
}

/**
 * `go build` the module in `toolDir` into `target` (via a partial file renamed at the end, so a crashed
 * build never leaves a half binary in the cache). `-mod=readonly`: go.sum pins every dependency.
 */
export async function goBuild(
  toolDir: string,
  target: string,
  errorOf: (message: string, cause?: unknown) => BatonError,
): Promise<void> {
  const go = findOnPath('go', process.env);
  if (go === undefined) throw errorOf(`Go is not on PATH: cannot build ${toolDir} into ${target}`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  try {
    await run(go, ['build', '-trimpath', '-ldflags', '-s -w', '-o', partial, '.'], {
      cwd: toolDir,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -mod=readonly`.trim() },
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    throw errorOf(`go build of ${toolDir} failed:\n${stderr.slice(-4000)}`, cause);
  }
  renameSync(partial, target);
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
