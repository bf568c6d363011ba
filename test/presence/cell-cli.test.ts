import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { listCells, listLiveCells } from '../../src/presence/live-cells.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { builtCli } from '../support/cli.js';
import { LONG_RUNNING, startCli, type CliProcess } from '../support/built-cli.js';

const consul = useDevAgent();
let cli = '';
let watcher: PresenceWatcher;
const seen: PresenceEvent[] = [];
const running: CliProcess[] = [];
let counter = 0;

beforeAll(async () => {
  cli = await builtCli();
  // The CLI uses the default key layout, so every test here shares one watcher on one agent.
  watcher = new PresenceWatcher({
    client: consul.get().client,
    eventLog: new EventLog({ client: consul.get().client, stream: 'presence' }),
  });
  watcher.events.on((event) => seen.push(event));
  await watcher.start();
}, 180_000);

afterAll(async () => {
  await watcher.stop();
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined) hardKill(p);
  }
});

function cellProcess(id: string, cmd: readonly string[] = LONG_RUNNING): CliProcess {
  const p = startCli(cli, consul.get().agent.httpAddr, [
    'cell',
    '--id',
    id,
    '--address',
    '127.0.0.1:7001',
    '--zone',
    'z1',
    '--capacity',
    '{"memoryMb":1024}',
    '--label',
    'stack=cflinuxfs4',
    '--',
    ...cmd,
  ]);
  running.push(p);
  return p;
}

const freshId = (label: string): string => `${label}-${process.pid}-${(counter += 1)}`;
const eventsFor = (id: string): PresenceEvent[] => seen.filter((e) => e.subject === id);
const typesFor = (id: string): string[] => eventsFor(id).map((e) => e.type);

async function registered(id: string, count = 1): Promise<PresenceEvent> {
  await waitFor(() => typesFor(id).filter((t) => t === 'CellRegistered').length >= count, {
    message: `${id} never registered`,
  });
  const event = eventsFor(id).filter((e) => e.type === 'CellRegistered')[count - 1];
  if (event === undefined) throw new Error(`${id}: registration ${count} missing`);
  return event;
}

function hardKill(p: CliProcess): void {
  try {
    if (p.child.pid !== undefined) process.kill(-p.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

describe('baton cell processes and the presence watcher (real Consul, real processes)', () => {
  it('1a: a SIGKILLed cell process produces CellLost, pushed to an in-process and a durable-log subscriber', async () => {
    const { client } = consul.get();
    const id = freshId('kill');
    const p = cellProcess(id);
    const reg = await registered(id);
    const log = new EventLog({ client, stream: 'presence' });
    const fromLog: PresenceEvent[] = [];
    const stop = new AbortController();
    const subscription = log.subscribe({ since: reg.seq, signal: stop.signal }, (e) => {
      if (e.subject === id) fromLog.push(e as PresenceEvent);
    });
    hardKill(p);
    await waitFor(() => typesFor(id).includes('CellLost'), { timeoutMs: 30_000 });
    await waitFor(() => fromLog.some((e) => e.type === 'CellLost'));
    stop.abort();
    await subscription;
    const lost = eventsFor(id).find((e) => e.type === 'CellLost');
    expect(lost?.incarnation).toBe(reg.incarnation);
    expect(lost?.reason).toBe('SessionInvalidated');
    expect(typesFor(id)).toEqual(['CellRegistered', 'CellLost']);
  });

  it('1b/1c: after a hard death neither listing returns the cell, and no listing returns it once its key is gone', async () => {
    const { client } = consul.get();
    const id = freshId('gone');
    const p = cellProcess(id);
    await registered(id);
    expect((await listLiveCells(client)).find((c) => c.id === id)).toEqual({
      id,
      address: '127.0.0.1:7001',
      zone: 'z1',
      capacity: { memoryMb: 1024 },
      labels: { stack: 'cflinuxfs4' },
    });
    hardKill(p);
    // Sample the scheduler's listing while the cell dies: once a consistent read says the key is gone,
    // no later listing may return the cell.
    let keyGone = false;
    let staleAfterGone = 0;
    await waitFor(
      async () => {
        const live = await listLiveCells(client);
        if (keyGone && live.some((c) => c.id === id)) staleAfterGone += 1;
        if (!keyGone)
          keyGone =
            (await client.kv.get(new KvLayout().presence.cell(id), { consistency: 'consistent' })).value ===
            undefined;
        return keyGone && typesFor(id).includes('CellLost');
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    expect(staleAfterGone).toBe(0);
    expect((await listCells(client)).map((c) => c.id)).not.toContain(id);
    expect((await listLiveCells(client)).map((c) => c.id)).not.toContain(id);
  });

  it("2a/2b/2c: SIGTERM departs cleanly: CellDeparted, no CellLost, gone from both listings, exit code is CMD's", async () => {
    const { client } = consul.get();
    const id = freshId('term');
    const p = cellProcess(id);
    await registered(id);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(143);
    await waitFor(() => typesFor(id).includes('CellDeparted'));
    expect((await listCells(client)).map((c) => c.id)).not.toContain(id);
    expect((await listLiveCells(client)).map((c) => c.id)).not.toContain(id);
    // Give a wrong CellLost every chance to show up.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(typesFor(id)).toEqual(['CellRegistered', 'CellDeparted']);
  });

  it('CMD exiting 0 departs cleanly; CMD failing is reported lost; the exit code is passed through', async () => {
    const ok = freshId('exit0');
    const okProcess = cellProcess(ok, [process.execPath, '-e', 'setTimeout(() => process.exit(0), 1500)']);
    const bad = freshId('exit3');
    const badProcess = cellProcess(bad, [process.execPath, '-e', 'setTimeout(() => process.exit(3), 1500)']);
    expect(await okProcess.exited).toBe(0);
    expect(await badProcess.exited).toBe(3);
    await waitFor(() => typesFor(ok).includes('CellDeparted') && typesFor(bad).includes('CellLost'));
    expect(typesFor(ok)).toEqual(['CellRegistered', 'CellDeparted']);
    expect(typesFor(bad)).toEqual(['CellRegistered', 'CellLost']);
  });

  it('a crash and restart under the same id yields CellLost(old incarnation) then CellRegistered(new)', async () => {
    const id = freshId('restart');
    const first = cellProcess(id);
    const old = await registered(id);
    hardKill(first);
    const second = cellProcess(id);
    const fresh = await registered(id, 2);
    const lost = eventsFor(id).find((e) => e.type === 'CellLost');
    expect(lost?.incarnation).toBe(old.incarnation);
    expect(fresh.incarnation).not.toBe(old.incarnation);
    expect(typesFor(id)).toEqual(['CellRegistered', 'CellLost', 'CellRegistered']);
    expect(lost?.seq).toBeLessThan(fresh.seq);
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('a watcher started after a cell died still reports CellLost (level-triggered, from its known records)', async () => {
    const { client } = consul.get();
    const id = freshId('unwatched');
    const p = cellProcess(id);
    await registered(id);
    await watcher.stop();
    hardKill(p);
    await waitFor(async () => (await client.kv.get(new KvLayout().presence.cell(id))).value === undefined, {
      timeoutMs: 30_000,
    });
    watcher = new PresenceWatcher({ client, eventLog: new EventLog({ client, stream: 'presence' }) });
    watcher.events.on((event) => seen.push(event));
    await watcher.start();
    await waitFor(() => typesFor(id).includes('CellLost'));
    expect(typesFor(id)).toEqual(['CellRegistered', 'CellLost']);
  });

  it('baton events resumes from --since and prints JSON lines', async () => {
    const all = startCli(cli, consul.get().agent.httpAddr, ['events', '-o', 'json']);
    expect(await all.exited).toBe(0);
    const lines = all
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PresenceEvent);
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.map((e) => e.seq)).toEqual(lines.map((_, i) => i + 1));
    const tail = startCli(cli, consul.get().agent.httpAddr, ['events', '-o', 'json', '--since', '3']);
    expect(await tail.exited).toBe(0);
    const resumed = tail
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PresenceEvent);
    expect(resumed[0]?.seq).toBe(4);
    expect(resumed.length).toBe(lines.length - 3);
  });

  it('bad flags exit 2 and an unreachable Consul exits 4, each with a clear message', async () => {
    const badAddress = startCli(cli, consul.get().agent.httpAddr, [
      'cell',
      '--id',
      'x',
      '--address',
      'nope',
      '--',
      'true',
    ]);
    expect(await badAddress.exited).toBe(2);
    expect(badAddress.stderr()).toMatch(/--address: address must be host:port/);
    const badCapacity = startCli(cli, consul.get().agent.httpAddr, [
      'cell',
      '--id',
      'x',
      '--address',
      'h:1',
      '--capacity',
      '{',
      '--',
      'true',
    ]);
    expect(await badCapacity.exited).toBe(2);
    const unreachable = startCli(cli, 'http://127.0.0.1:1', [
      'cell',
      '--id',
      'x',
      '--address',
      'h:1',
      '--',
      'true',
    ]);
    expect(await unreachable.exited).toBe(4);
    expect(unreachable.stderr()).toMatch(/cannot reach Consul/);
    const events = startCli(cli, 'http://127.0.0.1:1', ['events']);
    expect(await events.exited).toBe(4);
  });
});
