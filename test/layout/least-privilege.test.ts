import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConsulPermissionError } from '../../src/consul/errors.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { useAclDevAgent } from '../support/acl-agent.js';
import { waitFor } from '../support/wait.js';
import { builtCli } from '../support/cli.js';
import { killLeftovers, runWithToken, startWithToken } from '../support/acl-cli.js';

const consul = useAclDevAgent();
const presence = new KvLayout().presence;
const lockKey = (name: string): string => new KvLayout().locks.singleton(name);
const scratch = mkdtempSync(join(tmpdir(), 'baton-acl-'));
let cli: string;

beforeAll(async () => {
  cli = await builtCli();
});
afterEach(killLeftovers);
afterAll(killLeftovers);

/** A command that records that it ran, then runs until signalled. */
function markerCommand(marker: string): string[] {
  const script = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); setInterval(() => {}, 1000)`;
  return [process.execPath, '-e', script];
}

function start(token: string, args: readonly string[]): ReturnType<typeof startWithToken> {
  return startWithToken(cli, consul.get().agent.httpAddr, token, args);
}

function run(token: string, args: readonly string[]): ReturnType<typeof runWithToken> {
  return runWithToken(cli, consul.get().agent.httpAddr, token, args);
}

async function heldBy(key: string): Promise<string | undefined> {
  const { value } = await consul.get().client.kv.get(key, { consistency: 'consistent' });
  return value?.session;
}

describe('singleton candidate token (templated per singleton name)', () => {
  it('runs the worker for its own singleton and cannot take another', async () => {
    const token = await consul.get().createRoleToken('singleton-candidate', { name: 'acl-x' });
    const markerX = join(scratch, 'x-ran');
    const markerY = join(scratch, 'y-ran');
    const x = start(token, [
      'run',
      '--singleton',
      'acl-x',
      '--identity',
      'cand-x',
      '--',
      ...markerCommand(markerX),
    ]);
    await waitFor(async () => existsSync(markerX) && (await heldBy(lockKey('acl-x'))) !== undefined, {
      message: `worker for acl-x never started: ${x.stderr()}`,
    });

    // A candidate whose token lacks the permissions stops with exit 5 and Consul's reason.
    const y = start(token, ['run', '--singleton', 'acl-y', '--', ...markerCommand(markerY)]);
    const deniedY = /lacks permission 'key:(read|write)' on \\?"baton\/v1\/locks\/acl-y\\?"/;
    expect(await y.exited).toBe(5);
    expect(y.stderr()).toMatch(deniedY);
    expect(await heldBy(lockKey('acl-y'))).toBeUndefined();
    expect(existsSync(markerY)).toBe(false);
    await expect(consul.get().clientWith(token).kv.put(lockKey('acl-y'), 'mine')).rejects.toBeInstanceOf(
      ConsulPermissionError,
    );

    x.child.kill('SIGTERM');
    expect(await x.exited).toBe(0);
    expect(await heldBy(lockKey('acl-x'))).toBeUndefined();
  });
});

describe('cell token (templated per cell id)', () => {
  it("registers and departs as its own cell, and cannot touch another cell's key", async () => {
    const { client, clientWith, createRoleToken } = consul.get();
    const tokenA = await createRoleToken('cell', { cell: 'cell-a' });
    const tokenB = await createRoleToken('cell', { cell: 'cell-b' });
    const cellA = start(tokenA, [
      'cell',
      '--id',
      'cell-a',
      '--address',
      '10.0.0.1:7777',
      '--',
      ...markerCommand(join(scratch, 'a')),
    ]);
    const cellB = start(tokenB, [
      'cell',
      '--id',
      'cell-b',
      '--address',
      '10.0.0.2:7777',
      '--',
      ...markerCommand(join(scratch, 'b')),
    ]);
    await waitFor(async () => (await heldBy(presence.cell('cell-a'))) !== undefined, {
      message: `cell-a never registered: ${cellA.stderr()}`,
    });
    await waitFor(async () => (await heldBy(presence.cell('cell-b'))) !== undefined, {
      message: `cell-b never registered: ${cellB.stderr()}`,
    });
    const before = (await client.kv.get(presence.cell('cell-b'))).value;

    // A's token against B's presence key and departure records: every call is refused with a 403.
    const asA = clientWith(tokenA);
    const attempts = [
      () => asA.kv.put(presence.cell('cell-b'), '{"id":"cell-b","address":"6.6.6.6:1"}'),
      () => asA.kv.delete(presence.cell('cell-b')),
      () => asA.kv.get(presence.cell('cell-b')),
      () => asA.kv.put(presence.departure('cell-b', '00000000-0000-4000-8000-000000000000'), '{}'),
    ];
    for (const attempt of attempts) {
      const error: unknown = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConsulPermissionError);
      expect((error as ConsulPermissionError).code).toBe('CONSUL_PERMISSION_DENIED');
    }
    const after = (await client.kv.get(presence.cell('cell-b'))).value;
    expect(after?.modifyIndex).toBe(before?.modifyIndex);
    expect(after?.session).toBe(before?.session);

    // `baton cell --id cell-b` with A's token: a clear message naming the missing permission, exit 5.
    const impostor = await run(tokenA, [
      'cell',
      '--id',
      'cell-b',
      '--address',
      '6.6.6.6:1',
      '--',
      ...markerCommand(join(scratch, 'impostor')),
    ]);
    expect(impostor.code).toBe(5);
    expect(impostor.stderr).toContain(`lacks permission 'key:write' on "${presence.cell('cell-b')}"`);
    expect(impostor.stderr).toContain('CONSUL_HTTP_TOKEN');
    expect(impostor.stderr).toContain('manifests/acl/');
    expect(existsSync(join(scratch, 'impostor'))).toBe(false);

    // A departs cleanly with its own token: presence key gone, departure record written.
    const incarnation = JSON.parse(
      (await client.kv.get(presence.cell('cell-a'))).value?.value.toString() ?? '{}',
    ) as {
      incarnation: string;
    };
    cellA.child.kill('SIGTERM');
    expect(await cellA.exited).toBe(143);
    expect((await client.kv.get(presence.cell('cell-a'))).value).toBeUndefined();
    expect((await client.kv.get(presence.departure('cell-a', incarnation.incarnation))).value).toBeDefined();
    cellB.child.kill('SIGTERM');
    expect(await cellB.exited).toBe(143);
  });
});

describe('exclusive-operation token, and policies rendered for a root', () => {
  it('locks its own resource only; a policy for one root grants nothing under another', async () => {
    const { createRoleToken } = consul.get();
    const token = await createRoleToken('exclusive', { resource: 'Backup.1' });
    const mine = await run(token, ['lock', '--try', 'Backup.1', '--', process.execPath, '-e', '']);
    expect(mine.code, mine.stderr).toBe(0);
    const other = await run(token, ['lock', '--try', 'other', '--', process.execPath, '-e', '']);
    expect(other.code).toBe(5);
    expect(other.stderr).toMatch(/baton\/v1\/locks\/exclusive\/other/);

    const staging = await createRoleToken('exclusive', { root: 'staging/baton', resource: 'Backup.1' });
    const inStaging = await run(staging, [
      '--root',
      'staging/baton',
      'lock',
      '--try',
      'Backup.1',
      '--',
      'true',
    ]);
    expect(inStaging.code, inStaging.stderr).toBe(0);
    const inDefault = await run(staging, ['lock', '--try', 'Backup.1', '--', 'true']);
    expect(inDefault.code).toBe(5);
  });
});

describe('read-only operator token', () => {
  it('can get and read events but not apply', async () => {
    const { createRoleToken, managementToken } = consul.get();
    const manifest = join(scratch, 'singleton.yaml');
    writeFileSync(
      manifest,
      'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: acl-ops\nspec:\n  paused: false\n',
    );
    const seeded = await run(managementToken, ['apply', '-f', manifest]);
    expect(seeded.code, seeded.stderr).toBe(0);

    const token = await createRoleToken('operator-readonly');
    const got = await run(token, ['get', 'singletons', '-o', 'json']);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toContain('"acl-ops"');
    const events = await run(token, ['events']);
    expect(events.code, events.stderr).toBe(0);

    writeFileSync(
      manifest,
      'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: acl-ops\nspec:\n  paused: true\n',
    );
    const applied = await run(token, ['apply', '-f', manifest]);
    expect(applied.code).toBe(5);
    expect(applied.stderr).toMatch(/lacks permission 'key:write' on "baton\/v1\/singletons\/acl-ops\/spec"/);
    expect(applied.stderr).toContain('manifests/acl/');
  });
});

describe('controller token, with every role on its own token', () => {
  it('reconciles singleton and cell status that the read-only operator then reads', async () => {
    const { createRoleToken, managementToken } = consul.get();
    const [controllerToken, candidateToken, cellToken, operatorToken] = await Promise.all([
      createRoleToken('controller'),
      createRoleToken('singleton-candidate', { name: 'acl-ctl' }),
      createRoleToken('cell', { cell: 'cell-c' }),
      createRoleToken('operator-readonly'),
    ]);
    const manifest = join(scratch, 'acl-ctl.yaml');
    writeFileSync(
      manifest,
      'apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: acl-ctl\nspec:\n  paused: false\n',
    );
    expect((await run(managementToken, ['apply', '-f', manifest])).code).toBe(0);

    const controller = start(controllerToken, [
      'controller',
      '--identity',
      'ctl-1',
      '--http',
      'off',
      '--resync',
      '5',
    ]);
    const worker = start(candidateToken, [
      'run',
      '--singleton',
      'acl-ctl',
      '--identity',
      'cand-ctl',
      '--',
      ...markerCommand(join(scratch, 'ctl')),
    ]);
    const cell = start(cellToken, [
      'cell',
      '--id',
      'cell-c',
      '--address',
      '10.0.0.3:7777',
      '--',
      ...markerCommand(join(scratch, 'c')),
    ]);

    const getJson = async (args: string[]): Promise<string> => {
      const got = await run(operatorToken, ['get', ...args, '-o', 'json']);
      return got.code === 0 ? got.stdout : '';
    };
    await waitFor(async () => (await getJson(['singletons', 'acl-ctl'])).includes('"holder": "cand-ctl"'), {
      timeoutMs: 45_000,
    }).catch((error: unknown) => {
      const log = join(scratch, 'controller.stderr');
      writeFileSync(log, controller.stderr());
      throw new Error(`no holder status for acl-ctl; the controller's stderr is in ${log}`, { cause: error });
    });
    await waitFor(async () => (await getJson(['cells', 'cell-c'])).includes('"phase": "Present"'), {
      message: 'cell-c never Present',
    });
    cell.child.kill('SIGTERM');
    expect(await cell.exited).toBe(143);
    await waitFor(async () => (await getJson(['cells', 'cell-c'])).includes('"phase": "Departed"'), {
      message: 'cell-c never Departed',
    });
    const events = await run(operatorToken, ['events', '-o', 'json']);
    expect(events.stdout).toMatch(/"type":"CellDeparted"[^\n]*"subject":"cell-c"/);

    worker.child.kill('SIGTERM');
    controller.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await controller.exited).toBe(0);
    // No rule was missing: the controller never met a permission denial.
    expect(controller.stderr()).not.toMatch(/permission denied/i);
  });
});
