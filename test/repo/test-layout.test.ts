import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UNIT_TESTS } from '../../vitest.config.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Folders of test/ that test no single room of src/ (docs/architecture.md, "Tests"). Every other folder is
 * named after the src/ room it tests.
 */
const CROSS_CUTTING = ['chaos', 'cluster', 'library', 'support', 'fixtures', 'repo'];

/** `api`, `cache`, ..., and `errors` for `src/errors.ts`; `index.ts` is the public surface (test/library). */
function srcRooms(): string[] {
  return readdirSync(join(repo, 'src'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || (entry.name.endsWith('.ts') && entry.name !== 'index.ts'))
    .map((entry) => entry.name.replace(/\.ts$/, ''));
}

/** Every file under test/, as a repository-relative path with `/` separators. */
function testFiles(): string[] {
  return readdirSync(join(repo, 'test'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(repo, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

const RELATIVE_IMPORT = /(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g;
const PROVIDED_BINARY = /\bBATON_TEST_[A-Z]/;

/**
 * Whether `file`, or anything it imports by relative path outside src/, reads a `BATON_TEST_*` variable: the
 * binaries (Consul, promlint, Chromium) that test/support/global-setup.ts provides. src/ never reads them.
 */
function needsTools(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (PROVIDED_BINARY.test(text)) return true;
  return [...text.matchAll(RELATIVE_IMPORT)].some(([, specifier]) => {
    const target = resolve(dirname(file), specifier ?? '').replace(/\.js$/, '.ts');
    return !target.startsWith(join(repo, 'src') + sep) && existsSync(target) && needsTools(target, seen);
  });
}

describe('test/ mirrors src/', () => {
  it('keeps every file in test/<room>/ of a src/ room or in a listed cross-cutting folder', () => {
    const allowed = new Set([...srcRooms(), ...CROSS_CUTTING]);
    const misplaced = testFiles().filter((path) => {
      const parts = path.split('/');
      return parts.length !== 3 || !allowed.has(parts[1] ?? '');
    });
    expect(misplaced).toEqual([]);
  });

  it('lists in the unit project exactly the test files that need no Consul (or other provided binary)', () => {
    const free = testFiles()
      .filter((path) => path.endsWith('.test.ts'))
      .filter((path) => !needsTools(join(repo, path)));
    expect([...UNIT_TESTS].sort()).toEqual(free);
  });
});
