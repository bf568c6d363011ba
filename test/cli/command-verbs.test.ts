import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SingletonKind } from '../../src/api/kinds.js';
import { setCondition } from '../../src/api/condition.js';
import { RecordStore } from '../../src/store/record-store.js';
import { builtCli } from '../support/cli.js';
import { runBaton } from '../support/cli-run.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { CLI } from '../support/workers.js';

const consul = useDevAgent();

beforeAll(async () => {
  await builtCli();
});

function env(root: string): Record<string, string> {
  return { CONSUL_HTTP_ADDR: consul.get().agent.httpAddr, BATON_ROOT: root };
}

/** Run the built CLI with `input` on its stdin. */
function withStdin(
  args: readonly string[],
  input: string,
  root: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, BATON_LOG_LEVEL: 'warn', ...env(root) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

const TWO = [
  'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: alpha\nspec:\n  paused: false\n',
  'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: beta\nspec:\n  paused: false\n',
].join('---\n');

describe('manifests: stdin, kind: List round trip, diff', () => {
  it('get -o yaml of several records is a List that apply -f - takes back unchanged', async () => {
    const root = uniquePrefix('list');
    expect((await withStdin(['apply', '-f', '-'], TWO, root)).stdout).toBe(
      'singleton/alpha created\nsingleton/beta created\n',
    );
    const yaml = await runBaton(['get', 'singletons', '-o', 'yaml'], env(root));
    expect(yaml.stdout).toMatch(/^apiVersion: baton\/v1\nkind: List\nitems:\n/);
    const again = await withStdin(['apply', '-f', '-'], yaml.stdout, root);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('singleton/alpha unchanged\nsingleton/beta unchanged\n');
    const edited = yaml.stdout.replace(/paused: false/, 'paused: true');
    const changed = await withStdin(['apply', '-f', '-'], edited, root);
    expect(changed.stdout).toBe('singleton/alpha configured\nsingleton/beta unchanged\n');
    const bad = await withStdin(
      ['apply', '-f', '-'],
      'apiVersion: baton/v1\nkind: List\nitems:\n  - apiVersion: baton/v1\n    kind: Singleton\n    metadata:\n      name: gamma\n    spec:\n      pasued: true\n',
      root,
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^<stdin>:9:7: items\[0\]\.spec: /m);
  });

  it('diff exits 0 when apply would change nothing, 1 with the differences, 2 on an invalid manifest', async () => {
    const root = uniquePrefix('diff');
    const dir = mkdtempSync(join(tmpdir(), 'baton-diff-'));
    const file = join(dir, 'two.yaml');
    writeFileSync(file, TWO);
    const before = await runBaton(['diff', '-f', file], env(root));
    expect(before.status).toBe(1);
    expect(before.stdout).toContain('--- singleton/alpha (absent)\n+++ singleton/alpha (manifest)\n');
    expect((await runBaton(['apply', '-f', file], env(root))).status).toBe(0);
    const none = await runBaton(['diff', '-f', file], env(root));
    expect(none).toMatchObject({ status: 0, stdout: '' });
    writeFileSync(file, TWO.replace('paused: false', 'paused: true'));
    const one = await runBaton(['diff', '-f', file], env(root));
    expect(one.status).toBe(1);
    expect(one.stdout).toContain('-   paused: false\n+   paused: true\n');
    expect(one.stdout).not.toContain('beta');
    writeFileSync(file, 'kind: Nope\n');
    expect((await runBaton(['diff', '-f', file], env(root))).status).toBe(2);
  });
});

describe('pause, resume, wait, delete cell', () => {
  it('pause and resume set spec.paused; pause creates a missing record, resume refuses one', async () => {
    const root = uniquePrefix('pause');
    const store = new RecordStore(consul.get().client, SingletonKind, { root });
    expect((await runBaton(['resume', 'ghost'], env(root))).status).toBe(1);
    const paused = await runBaton(['pause', 'ghost'], env(root));
    expect(paused.stdout).toBe('singleton/ghost paused (record created)\n');
    expect((await store.get('ghost'))?.record?.spec.paused).toBe(true);
    expect((await runBaton(['resume', 'ghost'], env(root))).stdout).toBe('singleton/ghost resumed\n');
    const entry = await store.get('ghost');
    expect(entry?.record?.spec.paused).toBe(false);
    expect(entry?.record?.metadata.generation).toBe(2);
  });

  it('wait --for=condition=Held returns once the status says so; --for=delete once it is gone; else times out', async () => {
    const root = uniquePrefix('wait');
    await withStdin(['apply', '-f', '-'], TWO, root);
    const timedOut = await runBaton(
      ['wait', 'singleton/alpha', '--for=condition=Held', '--timeout', '1s'],
      env(root),
    );
    expect(timedOut.status).toBe(1);
    expect(timedOut.stderr).toContain('timed out after 1s');
    const waiting = runBaton(
      ['wait', 'singleton/alpha', '--for=condition=Held', '--timeout', '60s'],
      env(root),
    );
    const store = new RecordStore(consul.get().client, SingletonKind, { root });
    const entry = await store.get('alpha');
    if (entry === undefined) throw new Error('alpha was applied');
    const conditions = setCondition(
      [],
      { type: 'Held', status: 'True', reason: 'LockHeld', message: 'held by test' },
      new Date(),
    );
    await store.writeStatus(entry, { transitions: 1, candidatesSeen: [], observedGeneration: 1, conditions });
    expect(await waiting).toMatchObject({ status: 0, stdout: 'singleton/alpha condition met: Held=True\n' });
    const deleting = runBaton(['wait', 'singleton/beta', '--for=delete', '--timeout', '60s'], env(root));
    expect((await runBaton(['delete', 'singleton', 'beta'], env(root))).status).toBe(0);
    expect(await deleting).toMatchObject({ status: 0, stdout: 'singleton/beta deleted\n' });
  });
});

describe('commands are resolved before campaigning; signals map to 128 + N', () => {
  it('a missing command exits 127 and a non-executable one 126, writing nothing under the root', async () => {
    const root = uniquePrefix('resolve');
    const dir = mkdtempSync(join(tmpdir(), 'baton-cmd-'));
    const plain = join(dir, 'not-executable.sh');
    writeFileSync(plain, '#!/bin/sh\nexit 0\n');
    chmodSync(plain, 0o644);
    const runs = [
      [['run', '--singleton', 'typo', '--', 'no-such-command-xyz'], 127],
      [['run', '--singleton', 'typo', '--', plain], 126],
      [['lock', '--try', 'typo', '--', 'no-such-command-xyz'], 127],
      [['cell', '--id', 'typo', '--address', '127.0.0.1:7777', '--', 'no-such-command-xyz'], 127],
    ] as const;
    for (const [args, code] of runs) {
      const result = await runBaton(args, env(root));
      expect(result.status).toBe(code);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    // No lock taken, no fencing token burnt, no registration (so no CellLost), no event.
    expect((await consul.get().client.kv.list(`${root}/`)).value).toEqual([]);
  });

  it('a command killed by SIGSEGV exits 139, by SIGABRT 134', async () => {
    const root = uniquePrefix('signal');
    const segv = await runBaton(['run', '--singleton', 'segv', '--', 'sh', '-c', 'kill -SEGV $$'], env(root));
    expect(segv.status).toBe(139);
    const abrt = await runBaton(['lock', '--try', 'abrt', '--', 'sh', '-c', 'kill -ABRT $$'], env(root));
    expect(abrt.status).toBe(134);
  });
});
