import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatonError, ErrorCode, isErrorCode } from '../../src/errors.js';
import { ExitCode, exitCodeFor } from '../../src/cli/exit.js';
import { ConsulPermissionError, ConsulUnreachableError } from '../../src/consul/errors.js';
import { ConfigError } from '../../src/errors.js';
import { ConsulClient } from '../../src/consul/client.js';
import { Cell } from '../../src/presence/cell.js';
import { Singleton } from '../../src/singleton/elector.js';

const SRC = join(import.meta.dirname, '../../src');
/** Entry points run a program when imported. */
const ENTRY_POINTS = new Set(['process/watchdog-main.ts']);
/** Library code: everything but the CLI, development tooling and the demo (the CLI's errors live in exit.ts). */
const isLibrary = (file: string): boolean => !/^(cli|dev|demo)\//.test(file) && !ENTRY_POINTS.has(file);

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

/** Constructors take strings, numbers or lists: one of these shapes builds each error class. */
const ARGUMENT_SHAPES: unknown[][] = [['x', 'x', 'x'], ['x', 1, 1], [[{ opIndex: 0, what: 'x' }]], []];

function build(errorClass: new (...args: unknown[]) => Error): Error | undefined {
  for (const args of ARGUMENT_SHAPES) {
    try {
      return new errorClass(...args);
    } catch {
      // try the next shape
    }
  }
  return undefined;
}

describe('error codes', () => {
  it('has one literal per code in the catalogue', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
  });

  it('gives every exported error class of every module a code from the catalogue', async () => {
    const seen: string[] = [];
    for (const file of [...sourceFiles().filter(isLibrary), 'cli/exit.ts']) {
      const module = (await import(join(SRC, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (typeof value !== 'function' || !(value.prototype instanceof Error) || value === BatonError)
          continue;
        expect(value.prototype instanceof BatonError, `${file}: ${name} extends BatonError`).toBe(true);
        const error = build(value as new (...args: unknown[]) => Error);
        expect(error, `${file}: ${name} can be built`).toBeDefined();
        const code = (error as BatonError).code;
        expect(isErrorCode(code), `${file}: ${name} has catalogue code (got ${code})`).toBe(true);
        seen.push(name);
      }
    }
    expect(seen).toEqual(expect.arrayContaining(['ConfigError', 'LockLostError', 'TxnRollbackError']));
  });

  it('throws no uncoded Error, RangeError or TypeError from library code', () => {
    // The status page's script runs in the browser, where these are the only errors there are.
    const library = sourceFiles().filter((f) => isLibrary(f) && !f.startsWith('controllers/status-page/'));
    const offenders = library.filter((file) =>
      /new (Range|Type)?Error\(/.test(readFileSync(join(SRC, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('maps codes to the documented exit codes from one table', () => {
    expect(exitCodeFor(new ConfigError('bad flag'))).toBe(ExitCode.usage);
    expect(exitCodeFor(new ConsulUnreachableError('127.0.0.1:1'))).toBe(ExitCode.unreachable);
    expect(exitCodeFor(new ConsulPermissionError('/v1/kv/x', 'Permission denied'))).toBe(
      ExitCode.permissionDenied,
    );
    expect(exitCodeFor(new Error('anything else'))).toBe(ExitCode.failure);
  });

  it('refuses bad input to a component with a coded ConfigError that names the field', () => {
    const client = new ConsulClient({ baseUrl: 'http://127.0.0.1:1' });
    const work = (): Promise<void> => Promise.resolve();
    expect(() => new Singleton({ client, name: 'Bad Name', work })).toThrow(ConfigError);
    const badCell = (): Cell => new Cell({ client, spec: { id: 'Bad Id', address: '127.0.0.1:1' } });
    expect(badCell).toThrow(ConfigError);
    expect(badCell).toThrow(/^cell spec\.id: /);
  });
});
