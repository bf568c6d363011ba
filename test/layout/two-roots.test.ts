import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControllerDaemon } from '../../src/controllers/controller-daemon.js';
import { EventLog } from '../../src/events/event-log.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { Cell } from '../../src/presence/cell.js';
import { listLiveCells } from '../../src/presence/live-cells.js';
import { PRESENCE_STREAM } from '../../src/presence/presence-event.js';
import { Singleton } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { baton } from '../support/cli.js';
import { runBaton } from '../support/cli-run.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

const manifest = `apiVersion: baton/v1
kind: Singleton
metadata:
  name: converger
spec: {}
`;

/** One Baton installation under its own root: a controller, a `converger` candidate and a cell `cell-1`. */
async function installation(root: string, identity: string) {
  const { client } = consul.get();
  const controller = new ControllerDaemon({ client, root, identity: `ctl-${identity}`, resyncMs: 2_000 });
  await controller.start();
  const singleton = new Singleton({ client, root, name: 'converger', identity, work: untilAborted });
  const running = singleton.start();
  const cell = new Cell({ client, root, spec: { id: 'cell-1', address: `${identity}:7001` } });
  await cell.start();
  return {
    layout: new KvLayout(root),
    singleton,
    cell,
    async stop(): Promise<void> {
      await cell.stop();
      await singleton.stop();
      await running;
      await controller.stop();
    },
  };
}

describe('two installations under different roots share one Consul without touching each other', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-roots-'));
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
  });

  it('same singleton name, same cell id: two holders, two cells, separate records and events', async () => {
    const { client, agent } = consul.get();
    const rootA = uniquePrefix('root-a');
    const rootB = uniquePrefix('root-b');
    const file = join(scratch, 'converger.yaml');
    writeFileSync(file, manifest);
    const env = { CONSUL_HTTP_ADDR: agent.httpAddr };
    // One root from the flag, the other from the environment.
    expect((await runBaton(['--root', rootA, 'apply', '-f', file], env)).status).toBe(0);
    expect((await runBaton(['apply', '-f', file], { ...env, BATON_ROOT: rootB })).status).toBe(0);

    const a = await installation(rootA, 'holder-a');
    stops.push(() => a.stop());
    const b = await installation(rootB, 'holder-b');
    stops.push(() => b.stop());

    // Both lead at once: their locks are different keys.
    await waitFor(() => a.singleton.state === 'leading' && b.singleton.state === 'leading');
    expect(a.singleton.lockKey).not.toBe(b.singleton.lockKey);

    // Each controller sees only its own candidate and its own holder.
    for (const [inst, mine, theirs] of [
      [a, 'holder-a', 'holder-b'],
      [b, 'holder-b', 'holder-a'],
    ] as const) {
      await waitFor(async () => {
        const status = await client.kv.get(inst.layout.singletons.status('converger'));
        const text = status.value?.value.toString() ?? '';
        return text.includes(`"holder":"${mine}"`);
      });
      const status = (
        await client.kv.get(inst.layout.singletons.status('converger'))
      ).value?.value.toString();
      expect(status).not.toContain(theirs);
      const live = await listLiveCells(client, { root: inst.layout.root });
      expect(live.map((c) => c.address)).toEqual([`${mine}:7001`]);
    }

    // A clean stop of B's cell is B's event only.
    await b.cell.stop();
    const logA = new EventLog({ client, stream: PRESENCE_STREAM, root: rootA });
    const logB = new EventLog({ client, stream: PRESENCE_STREAM, root: rootB });
    await waitFor(async () => (await logB.read(0)).events.some((e) => e.type === 'CellDeparted'));
    expect((await logA.read(0)).events.map((e) => e.type)).toEqual(['CellRegistered']);
    expect((await listLiveCells(client, { root: rootA })).map((c) => c.id)).toEqual(['cell-1']);

    // The CLI reads the root it is given, by flag or environment. (Run without blocking this process: its
    // leases heartbeat on this event loop.)
    const locksA = await runBaton(['--root', rootA, 'get', 'locks', '-o', 'json'], env);
    expect(locksA.status, locksA.stderr).toBe(0);
    expect(locksA.stdout).toContain('holder-a');
    expect(locksA.stdout).not.toContain('holder-b');
    const locksB = await runBaton(['get', 'locks', '-o', 'json'], { ...env, BATON_ROOT: rootB });
    expect(locksB.status, locksB.stderr).toBe(0);
    expect(locksB.stdout).toContain('holder-b');
    expect(locksB.stdout).not.toContain('holder-a');
    // Nothing was written under the default root.
    expect((await client.kv.list(new KvLayout().locks.singleton('converger'))).value).toEqual([]);
  });

  it('refuses a malformed root with one line and the usage exit code', () => {
    const result = baton(['--root', '/bad//root', 'get', 'locks'], {
      CONSUL_HTTP_ADDR: consul.get().agent.httpAddr,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('KV root "/bad//root"');
  });
});
