import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

/** What the failover benches share: the private build of Baton, the git facts, option parsing. */
export const REPO_ROOT = resolve(import.meta.dirname, '..');
/**
 * The benches compile Baton into a private folder rather than using dist/, which other work may rebuild
 * under a running benchmark. Inside node_modules so the build still resolves the package's dependencies.
 */
export const BATON_BUILD = join(REPO_ROOT, 'node_modules/.cache/baton-bench-failover/dist');

/** tsc emits even with type errors (from work in progress elsewhere in src/): warn, record, carry on. */
export function buildBaton(): { errors: boolean } {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  console.error(`building Baton from src/ into ${relative(REPO_ROOT, BATON_BUILD)}`);
  rmSync(BATON_BUILD, { recursive: true, force: true });
  const args = ['-p', 'tsconfig.build.json', '--outDir', BATON_BUILD, '--declaration', 'false'];
  const result = spawnSync(process.execPath, [tsc, ...args, '--sourceMap', 'false'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    console.error('warning: the Baton build reported errors; benchmarking what it emitted');
  // The CLI reads its version from the package.json beside its dist/ (metrics/build-info.ts).
  copyFileSync(join(REPO_ROOT, 'package.json'), join(BATON_BUILD, '..', 'package.json'));
  return { errors: result.status !== 0 };
}

export function gitFacts(): { commit: string; srcDirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    return { commit, srcDirty: status.trim() !== '' };
  } catch {
    return undefined;
  }
}

export function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${flag} takes a positive integer, got "${text}"`);
  return value;
}

export function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T[] {
  if (text === undefined) return [...allowed];
  const picked = text.split(',').map((item) => item.trim());
  const unknown = picked.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0)
    throw new Error(`${flag}: unknown ${unknown.join(', ')}; choose from ${allowed.join(', ')}`);
  return picked as T[];
}
