import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryLine } from '../../chaos/history.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node --import tsx chaos/check.ts ...args` and collect its exit code and output. */
function check(...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'chaos/check.ts', ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, name.endsWith('.gz') ? gzipSync(text) : text);
  return file;
}

const jsonl = (lines: readonly HistoryLine[]): string => lines.map((line) => JSON.stringify(line)).join('\n');

const newer: HistoryLine = {
  k: 'act',
  t: 1,
  resource: 'singleton/a',
  who: 'w2',
  token: 2,
  fence: 'accepted',
};
const stale: HistoryLine = { k: 'act', t: 2, resource: 'singleton/a', who: 'w1', token: 1, fence: 'none' };
const fault: HistoryLine = { k: 'fault', t: 0, id: 1, kind: 'sigkill-tree', target: 'w1', healedAt: 0.5 };

describe('chaos/check.ts', () => {
  it('exits 0 and prints the tables for a clean gzipped history', async () => {
    const { code, stdout } = await check(write('clean.jsonl.gz', `${jsonl([fault, newer])}\n\n`));
    expect(code).toBe(0);
    expect(stdout).toContain('| sigkill-tree | 1 |');
    expect(stdout).toContain('Total violations: 0');
  });

  it('exits 1 and shows the offending lines when a property is violated', async () => {
    const { code, stdout, stderr } = await check(write('stale.jsonl', jsonl([stale, fault, newer])));
    expect(code).toBe(1);
    expect(stdout).toContain('Total violations: 1');
    expect(stderr).toContain('stale-act: 1 violation');
    expect(stderr).toContain(JSON.stringify(stale));
  });

  it('prints the report as JSON with --json', async () => {
    const { code, stdout } = await check('--json', write('json.jsonl', jsonl([newer, stale])));
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { violations: number; staleActs: { singleton: { stale: number } } };
    expect(report.violations).toBe(1);
    expect(report.staleActs.singleton.stale).toBe(1);
  });

  it('exits 2 naming the file and line of a malformed line', async () => {
    const file = write(
      'bad.jsonl',
      `${JSON.stringify(newer)}\n${JSON.stringify({ ...stale, fence: 'maybe' })}\n`,
    );
    const { code, stderr } = await check(file);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:2: fence:`);
  });

  it('exits 2 on a line that is not JSON, and on bad usage', async () => {
    const notJson = await check(write('garbage.jsonl', `${JSON.stringify(newer)}\n{"k":`));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('garbage.jsonl:2: not JSON');
    expect((await check()).code).toBe(2);
    expect((await check('--grace-ms', 'soon', write('x.jsonl', ''))).code).toBe(2);
  });
});
