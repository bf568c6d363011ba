import { afterEach, describe, expect, it } from 'vitest';
import { CellKind } from '../../src/api/kinds.js';
import { PrefixInformer } from '../../src/cache/prefix-informer.js';
import { ShardedInformer } from '../../src/cache/sharded-informer.js';
import { cellLoop } from '../../src/controllers/baton-loops.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { Cell } from '../../src/presence/cell.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { DeclaredLoops } from '../../src/runtime/controller-builder.js';
import { done } from '../../src/runtime/reconciler.js';
import { RecordStore } from '../../src/store/record-store.js';
import { CliProcesses } from '../support/cli.js';
import { useDevAgent } from '../support/consul.js';
import { runBaton } from '../support/cli-run.js';
import { waitFor } from '../support/wait.js';

// Baton's fixed record prefixes: one agent for this file, tests one after another.
const consul = useDevAgent();
const processes = new CliProcesses();

afterEach(async () => {
  await processes.stopAll();
});

const env = (): Record<string, string> => ({ CONSUL_HTTP_ADDR: consul.get().agent.httpAddr });

const phaseOf = (id: string): RegExp => new RegExp(`^${id}\\s+(\\S+)`, 'm');

/** Asynchronously: a blocking spawn would starve the in-process cells' heartbeats while it runs. */
async function cellPhase(id: string): Promise<string | undefined> {
  return phaseOf(id).exec((await runBaton(['get', 'cells'], env())).stdout)?.[1];
}

/**
 * A controller shows the cell Present and is SIGKILLed; a watcher elsewhere (an embedding converger)
 * commits how the cell ended and goes away; then a new controller starts with no memory of that event.
 */
async function endWhileNoController(
  id: string,
  end: (cell: Cell) => Promise<void>,
  eventType: string,
): Promise<void> {
  const { client } = consul.get();
  const first = processes.start(['controller', '--identity', `${id}-ctl-1`, '--http', 'off'], env());
  const cell = new Cell({ client, spec: { id, address: '127.0.0.1:7001' } });
  await cell.start();
  await waitFor(async () => (await cellPhase(id)) === 'Present', { timeoutMs: 30_000 });
  first.kill('SIGKILL');
  const watcher = new PresenceWatcher({ client });
  const seen: PresenceEvent[] = [];
  watcher.events.on((event) => seen.push(event));
  await watcher.start();
  await end(cell);
  await waitFor(() => seen.some((e) => e.type === eventType && e.subject === id), { timeoutMs: 30_000 });
  await watcher.stop();
  processes.start(['controller', '--identity', `${id}-ctl-2`, '--http', 'off'], env());
}

describe('Cell records are level-triggered (built CLI, real Consul)', () => {
  it('a running controller turns records Present, then Departed on a clean stop and Lost on a hard death', async () => {
    const { client } = consul.get();
    processes.start(['controller', '--identity', 'status-live-ctl', '--http', 'off'], env());
    const ids = Array.from({ length: 6 }, (_, i) => `status-live-${i}`);
    const cells = ids.map((id) => new Cell({ client, spec: { id, address: '127.0.0.1:7001' } }));
    await Promise.all(cells.map((cell) => cell.start()));
    // The CLI runs asynchronously here: a blocking spawn would starve these in-process cells' heartbeats.
    const phases = async (): Promise<string[]> => {
      const { stdout } = await runBaton(['get', 'cells'], env());
      return ids.map((id) => phaseOf(id).exec(stdout)?.[1] ?? 'none');
    };
    await waitFor(async () => (await phases()).every((phase) => phase === 'Present'), { timeoutMs: 60_000 });
    await Promise.all(cells.map((cell, i) => (i % 2 === 0 ? cell.stop() : cell.abandon())));
    const expected = ids.map((_, i) => (i % 2 === 0 ? 'Departed' : 'Lost'));
    await waitFor(async () => (await phases()).join() === expected.join(), {
      timeoutMs: 60_000,
      message: 'a record never reached its phase',
    });
  });

  it('a CellLost committed while no controller ran still turns the Cell record Lost', async () => {
    await endWhileNoController('status-cell-1', (cell) => cell.abandon(), 'CellLost');
    await waitFor(async () => (await cellPhase('status-cell-1')) === 'Lost', {
      timeoutMs: 60_000,
      message: 'the new controller never set the Cell record to Lost',
    });
  });

  it('a clean stop while no controller ran turns the Cell record Departed', async () => {
    await endWhileNoController('status-cell-2', (cell) => cell.stop(), 'CellDeparted');
    await waitFor(async () => (await cellPhase('status-cell-2')) === 'Departed', { timeoutMs: 60_000 });
  });

  it.each([
    { id: 'status-cell-3', on: 'committed', killedWhen: 'its own watcher committed CellLost' },
    { id: 'status-cell-4', on: 'key-gone', killedWhen: 'it saw the presence key vanish' },
  ] as const)(
    'a controller killed right after $killedWhen, before its status write, is caught up by the next one',
    async ({ id, on, killedWhen }) => {
      const { client } = consul.get();
      const layout = new KvLayout();
      const store = new RecordStore(client, CellKind, { consistency: 'consistent', root: layout.root });
      const records = new ShardedInformer({ client, prefixes: store.keys.watchPrefixes });
      // Watches the cell's shard only to see the instant its key vanishes (the loop reads the watcher's).
      const presenceCells = new PrefixInformer({
        client,
        prefix: layout.presence.cellsPrefix(layout.presence.shardOf(id)),
      });
      const watcher = new PresenceWatcher({ client, root: layout.root });
      // The first controller is the real Cell loop; once the cell is abandoned its reconciles stop short
      // (it is about to die), and it is killed the moment its watcher has committed the CellLost, or the
      // moment its informer saw the key go (its watcher may or may not have committed by then).
      const loop = cellLoop({ client, layout, store, watcher, records, presenceCells: watcher.cellKeys });
      let dying = false;
      let inFlight = 0;
      const loops = new DeclaredLoops([
        {
          ...loop,
          reconciler: {
            reconcile: async (key, signal) => {
              if (dying) return done;
              inFlight += 1;
              try {
                return await loop.reconciler.reconcile(key, signal);
              } finally {
                inFlight -= 1;
              }
            },
          },
        },
      ]);
      const kill = new AbortController();
      if (on === 'committed') {
        watcher.events.on((event) => {
          if (event.type === 'CellLost' && event.subject === id) kill.abort();
        });
      } else {
        presenceCells.onChange((changes) => {
          if (changes.some((c) => c.type === 'deleted' && c.key === layout.presence.cell(id))) kill.abort();
        });
      }
      const running = [loops.run(kill.signal), records.run(kill.signal), presenceCells.run(kill.signal)];
      await watcher.start(kill.signal);
      const cell = new Cell({ client, spec: { id, address: '127.0.0.1:7003' } });
      await cell.start();
      await waitFor(async () => (await cellPhase(id)) === 'Present', { timeoutMs: 30_000 });
      dying = true;
      await waitFor(() => inFlight === 0, { timeoutMs: 30_000 });
      await cell.abandon();
      await waitFor(() => kill.signal.aborted, {
        timeoutMs: 30_000,
        message: `never ${killedWhen}`,
      });
      await watcher.stop();
      await Promise.allSettled(running);
      // Not written: whatever the log says by now, the record still says Present.
      expect((await store.get(id))?.record?.status?.phase).toBe('Present');

      processes.start(['controller', '--identity', `${id}-ctl-2`, '--http', 'off'], env());
      await waitFor(async () => (await cellPhase(id)) === 'Lost', {
        timeoutMs: 60_000,
        message: 'the new controller never set the Cell record to Lost',
      });
    },
  );
});
