import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SingletonKind } from '../../src/api/kinds.js';
import { RecordStore } from '../../src/store/record-store.js';
import { freePort } from '../../src/dev/ports.js';
import { useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/cli/main.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the BUILT CLI as an operator would, against the fixture agent unless `address` says otherwise. */
function baton(args: readonly string[], address?: string): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'CONSUL_HTTP_TOKEN'),
  );
  env['CONSUL_HTTP_ADDR'] = address ?? consul.get().agent.httpAddr;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env, cwd: root, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function manifestDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-manifests-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const SEEDS = [
  'nsync-bulker',
  'tps-watcher',
  'converger',
  'auctioneer',
  'route-emitter',
  'cluster-discovery',
];

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build before these tests`);
});

describe('baton apply/get/describe/delete through the built CLI', () => {
  it('applies the shipped manifests, then shows them and their reconciled status', async () => {
    const applied = await baton(['apply', '-f', 'manifests/']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    for (const name of SEEDS) expect(applied.stdout).toContain(`singleton/${name} created`);
    const again = await baton(['apply', '-f', 'manifests/singletons.yaml']);
    expect(again.stdout).toContain('singleton/converger unchanged');
    const paused = manifestDir({
      'c.yaml':
        'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: converger\nspec:\n  paused: true\n',
    });
    const dryRun = await baton(['apply', '-f', paused, '--dry-run']);
    expect(dryRun.stdout).toBe('singleton/converger configured (dry run)\n');
    expect((await baton(['get', 'singleton', 'converger', '-o', 'json'])).stdout).toContain(
      '"paused": false',
    );

    // Stand in for the controller: write the status subresource as it would.
    const store = new RecordStore(consul.get().client, SingletonKind);
    const entry = await store.get('converger');
    await store.writeStatus(entry ?? { name: 'converger', statusIndex: 0 }, {
      holder: 'cell-7',
      fencingToken: 4,
      since: new Date(Date.now() - 90_000).toISOString(),
      transitions: 2,
      candidatesSeen: ['cell-7', 'cell-8'],
      observedGeneration: 1,
      conditions: [
        {
          type: 'Held',
          status: 'True',
          reason: 'LockHeld',
          message: 'held by cell-7',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });

    const table = await baton(['get', 'singletons']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+HOLDER\s+TOKEN\s+TRANSITIONS\s+SINCE\s+STATUS-AGE$/);
    expect(lines).toHaveLength(SEEDS.length + 1);
    expect(lines.find((line) => line.startsWith('converger'))).toMatch(
      /^converger\s+Held\s+cell-7\s+4\s+2\s+9\ds\s+\S+$/, // written as 90 s ago; the CLI runs a moment later
    );
    expect(lines.find((line) => line.startsWith('auctioneer'))).toMatch(/^auctioneer\s+Pending\s+<none>/);

    const wide = await baton(['get', 'singletons', 'auctioneer', '-o', 'wide']);
    expect(wide.stdout).toMatch(/auctioneer\s+Pending.*\s+1\/0\s+<any>\s+ttl=1s,delay=3s/);

    const json = await baton(['get', 'singletons', '-o', 'json']);
    const list = JSON.parse(json.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((item) => item.metadata.name).sort()).toEqual([...SEEDS].sort());

    const yaml = await baton(['get', 'singleton', 'converger', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^apiVersion: baton\/v1\nkind: Singleton\n/);
    expect(yaml.stdout).toContain('holder: cell-7');

    const described = await baton(['describe', 'singleton', 'converger']);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/Holder:\s+cell-7/);
    expect(described.stdout).toMatch(/Fencing Token:\s+4/);
    expect(described.stdout).toMatch(/Candidates Seen:\s+cell-7, cell-8/);
    expect(described.stdout).toMatch(/Held\s+True\s+LockHeld\s+\d+s\s+held by cell-7/);
    expect(described.stdout).toMatch(/lockDelay=1\.2s \(default\)/);
  });

  it('rejects a malformed manifest with file:line:col, exits non-zero and writes nothing', async () => {
    const dir = manifestDir({
      'a-good.yaml': 'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: fine-one\nspec: {}\n',
      'b-bad.yaml':
        'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: broken-one\nspec:\n  paused: maybe\n' +
        '---\napiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: fast\nspec:\n  timing:\n    lockDelay: 200ms\n',
    });
    const result = await baton(['apply', '-f', dir]);
    expect(result.code).toBe(1);
    const bad = join(dir, 'b-bad.yaml');
    expect(result.stderr).toContain(`${bad}:6:11: spec.paused: `);
    expect(result.stderr).toMatch(
      new RegExp(
        `${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:14:5: spec\\.timing: timing fails the safety budget`,
      ),
    );
    expect(result.stderr).toContain('2 problems in the manifests; nothing was applied');
    expect(result.stdout).toBe('');
    const fine = await baton(['get', 'singleton', 'fine-one']);
    expect(fine.code).toBe(1);
    expect(fine.stderr).toContain('singleton "fine-one" not found');
  });

  it('lists a hand-edited record as Invalid without failing the listing', async () => {
    const { client } = consul.get();
    await client.kv.put(
      'baton/v1/singletons/hand-edited/spec',
      '{"apiVersion":"baton/v1","kind":"Singleton"}',
    );
    const result = await baton(['get', 'singletons']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/hand-edited\s+Invalid/);
    expect(result.stderr).toMatch(/warning: singleton "hand-edited" is invalid: metadata\.name: /);
    const described = await baton(['describe', 'singleton', 'hand-edited']);
    expect(described.stdout).toMatch(/Invalid:\s+metadata\.name: /);
  });

  it('deletes a singleton, and says so when it is not there', async () => {
    expect((await baton(['delete', 'singleton', 'route-emitter'])).stdout).toBe(
      'singleton/route-emitter deleted\n',
    );
    const again = await baton(['delete', 'singleton', 'route-emitter']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('singleton "route-emitter" not found');
    expect((await baton(['delete', 'cell', 'x'])).stderr).toContain('cell "x" not found');
    expect((await baton(['delete', 'lock', 'x'])).code).toBe(2);
  });

  it('get --watch prints a record again when it changes, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [cli, 'get', 'singletons', 'tps-watcher', '--watch'], {
      env: { ...process.env, CONSUL_HTTP_ADDR: consul.get().agent.httpAddr },
      cwd: root,
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => /^tps-watcher\s+Pending/m.test(stdout), { message: `no initial table: ${stdout}` });
    const store = new RecordStore(consul.get().client, SingletonKind);
    const entry = await store.get('tps-watcher');
    if (entry?.record === undefined) throw new Error('tps-watcher should be stored and valid');
    await store.applySpec({ ...entry.record, spec: { ...entry.record.spec, paused: true } });
    await waitFor(() => /^tps-watcher\s+Paused/m.test(stdout), { message: `no update printed: ${stdout}` });
    expect(stdout.match(/^NAME/gm)).toHaveLength(1);
    const [before, after] = stdout.split('\n').filter((line) => line.startsWith('tps-watcher'));
    expect(after?.indexOf('<none>')).toBe(before?.indexOf('<none>')); // the watched row lines up
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('explains an unreachable Consul and exits with the unreachable code', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    for (const args of [
      ['get', 'singletons'],
      ['apply', '-f', 'manifests/'],
    ]) {
      const result = await baton(args, address);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(`cannot reach Consul at http://${address}`);
      expect(result.stderr).toContain('CONSUL_HTTP_ADDR');
    }
  });

  it('refuses bad arguments with a usage error', async () => {
    const kind = await baton(['get', 'lockz']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('unknown resource type "lockz": expected one of singletons, cells');
    const name = await baton(['describe', 'singleton', '../../x']);
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('"../../x" is not a record name: name must be a DNS label');
    const format = await baton(['get', 'singletons', '-o', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('-o must be one of wide, name, json, yaml; got "xml"');
  });
});
