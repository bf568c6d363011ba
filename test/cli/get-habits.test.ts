import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../support/cli.js';
import { runBaton } from '../support/cli-run.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/workers.js';

const consul = useDevAgent();

beforeAll(async () => {
  await builtCli();
});

/** Each test its own installation root, so their records and locks never meet. */
function env(root: string): Record<string, string> {
  return { CONSUL_HTTP_ADDR: consul.get().agent.httpAddr, BATON_ROOT: root };
}

function singleton(name: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels).map(([key, value]) => `    ${key}: "${value}"\n`);
  return (
    `apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: ${name}\n` +
    (labelLines.length === 0 ? '' : `  labels:\n${labelLines.join('')}`) +
    'spec:\n  paused: false\n'
  );
}

/** `baton apply -f -` with the manifest on stdin. */
function applyStdin(manifest: string, root: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'apply', '-f', '-'], {
      env: { ...process.env, BATON_LOG_LEVEL: 'warn', ...env(root) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    child.once('exit', (status) => resolve({ status, stderr }));
    child.stdin.end(manifest);
  });
}

/** A long-running `baton ...` whose stdout a test reads as it comes. */
function follow(
  args: readonly string[],
  root: string,
): { output: () => string; errors: () => string; stop: () => Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, BATON_LOG_LEVEL: 'warn', ...env(root) },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    output: () => stdout,
    errors: () => stderr,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('baton get, as kubectl users expect it', () => {
  it('warns that status may be stale while no controller is active, and shows the status age', async () => {
    const root = uniquePrefix('stale');
    expect((await applyStdin(singleton('stale-one'), root)).status).toBe(0);
    const get = await runBaton(['get', 'singletons'], env(root));
    expect(get.status).toBe(0);
    expect(get.stderr).toMatch(
      /^Warning: no controller is active \(.*\/locks\/baton-controller is not held\)/m,
    );
    expect(get.stdout.split('\n')[0]).toMatch(/\bSTATUS-AGE$/);
  });

  it('-o name, --no-headers and -l select and print like kubectl', async () => {
    const root = uniquePrefix('select');
    const manifest = [
      singleton('red-a', { team: 'red', tier: 'gold' }),
      singleton('red-b', { team: 'red' }),
      singleton('blue-a', { team: 'blue' }),
    ].join('---\n');
    expect((await applyStdin(manifest, root)).status).toBe(0);
    const names = await runBaton(['get', 'singletons', '-o', 'name', '-l', 'team=red'], env(root));
    expect(names.stdout).toBe('singleton/red-a\nsingleton/red-b\n');
    const and = await runBaton(['get', 'singletons', '-o', 'name', '-l', 'team=red,tier!=gold'], env(root));
    expect(and.stdout).toBe('singleton/red-b\n');
    const rows = await runBaton(['get', 'singletons', '--no-headers', '-l', 'team!=red'], env(root));
    expect(rows.stdout).toMatch(/^blue-a\s+Pending/);
    expect(rows.stdout.trimEnd().split('\n')).toHaveLength(1);
    const bad = await runBaton(['get', 'singletons', '-l', 'team'], env(root));
    expect(bad.status).toBe(2);
  });

  it('-o json --watch prints JSON Lines, deletions included', async () => {
    const root = uniquePrefix('watch');
    expect((await applyStdin(singleton('first'), root)).status).toBe(0);
    const watch = follow(['get', 'singletons', '-o', 'json', '--watch'], root);
    const events = (): { type: string; object: { metadata?: { name: string } } }[] =>
      watch
        .output()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { type: string; object: { metadata?: { name: string } } });
    await waitFor(() => events().length === 1, { message: `no initial line: ${watch.output()}` });
    expect((await applyStdin(singleton('second'), root)).status).toBe(0);
    await waitFor(() => events().some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'second'));
    expect((await runBaton(['delete', 'singleton', 'first'], env(root))).status).toBe(0);
    await waitFor(() => events().some((e) => e.type === 'DELETED' && e.object.metadata?.name === 'first'), {
      message: `no deletion: ${watch.output()}`,
    });
    expect(await watch.stop()).toBe(0);
    expect(events()[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'first' } } });
  });

  it('get locks --watch shows a lock taken, then freed', async () => {
    const root = uniquePrefix('locks');
    const watch = follow(['get', 'locks', '--watch'], root);
    await waitFor(() => watch.errors().includes('No locks found.'), { message: 'the watch did not list' });
    const lock = await runBaton(['lock', '--try', 'nightly', '--', 'sleep', '0.5'], env(root));
    expect(lock.status).toBe(0);
    const rows = (): string[] =>
      watch
        .output()
        .split('\n')
        .filter((line) => line.startsWith('nightly'));
    await waitFor(() => rows().length >= 2, { message: `the lock was not followed: ${watch.output()}` });
    expect(rows()[0]).toMatch(/^nightly\s+exclusive\s+\S+\s+\S+\s+\d+\s+\d+/); // held: holder, pid, token
    expect(rows().at(-1)).toMatch(/^nightly\s+exclusive\s+<(none|deleted)>/); // freed
    expect(await watch.stop()).toBe(0);
  });
});

describe('usage errors and the version', () => {
  it('a usage error is one line that points at the command help', async () => {
    const root = uniquePrefix('usage');
    const missing = await runBaton(['run', '--', 'true'], env(root));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      "baton: required option '--singleton <name>' not specified (see baton run --help)\n",
    );
    const unknown = await runBaton(['get', 'singletons', '--bogus'], env(root));
    expect(unknown.stderr).toBe("baton: unknown option '--bogus' (see baton get --help)\n");
    const format = await runBaton(['get', 'singletons', '-o', 'xml'], env(root));
    expect(format.stderr).toBe(
      'baton: -o must be one of wide, name, json, yaml; got "xml" (see baton get --help)\n',
    );
    const completion = await runBaton(['completion', 'bash'], env(root));
    expect(completion.stdout).toContain('complete -F _baton baton');
    for (const word of ['pause', 'wait', 'diff', '--no-headers', '--selector', 'singletons']) {
      expect(completion.stdout).toContain(word);
    }
    expect((await runBaton(['completion', 'zsh'], env(root))).stdout).toMatch(/^#compdef baton\n/);
    const version = await runBaton(['--version'], env(root));
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
