/**
 * A scale-bench pool: many `Cell`s (public API, one Lease each) in one process, talking to its host's Consul
 * agent (BENCH_CONSUL). SIGKILL it to kill all of its cells at once. Reports every presence change it makes
 * over IPC (see protocol.ts).
 */
import { Cell, ConsulClient } from '../../src/index.js';
import { Batcher, sendToParent } from './batcher.js';
import type { Change, PoolChurn, PoolStart, ToPool } from './protocol.js';

const consul = process.env['BENCH_CONSUL'];
if (consul === undefined) throw new Error('BENCH_CONSUL is not set');
const client = new ConsulClient({ baseUrl: consul });
const cells = new Map<string, Cell>();
const changes = new Batcher<Change>((batch) => sendToParent({ type: 'changes', changes: batch }));
let setup: PoolStart | undefined;
let churnLoop: { stop: boolean; done: Promise<void> } | undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function newCell(id: string, index: number): Cell {
  if (setup === undefined) throw new Error('pool not started');
  const cell = new Cell({
    client,
    spec: {
      id,
      address: `10.${setup.pool}.${Math.floor(index / 250) % 250}.${index % 250}:7777`,
      zone: `host-${setup.pool}`,
      capacity: { memoryMb: 4096 },
    },
    checkTtlMs: setup.checkTtlMs,
    heartbeatIntervalMs: setup.heartbeatMs,
    acquireTimeoutMs: 120_000,
  });
  cell.on('registered', (registration) =>
    changes.push({ id, kind: 'registered', incarnation: registration.incarnation, committedAt: Date.now() }),
  );
  cell.on('lost', ({ incarnation }) =>
    changes.push({ id, kind: 'lostLocally', incarnation, committedAt: Date.now() }),
  );
  cells.set(id, cell);
  return cell;
}

/** Run `work` over `items` with `concurrency` workers; returns how many failed. */
async function each<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<number> {
  const queue = [...items];
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        try {
          await work(item);
        } catch (error: unknown) {
          failed += 1;
          sendToParent({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        }
      }
    }),
  );
  return failed;
}

async function startAll(message: PoolStart): Promise<void> {
  setup = message;
  const started = Date.now();
  const failed = await each(
    message.ids.map((id, index) => ({ id, index })),
    message.concurrency,
    async ({ id, index }) => {
      await newCell(id, index).start();
    },
  );
  changes.drain();
  sendToParent({ type: 'registered', count: message.ids.length - failed, failed, ms: Date.now() - started });
}

/** A clean departure of the cell's current incarnation, then a new Cell (a new incarnation) for the same id. */
async function reregister(id: string): Promise<void> {
  const old = cells.get(id);
  if (old === undefined) throw new Error(`no cell ${id} in this pool`);
  const incarnation = old.registration?.incarnation;
  const issuedAt = Date.now();
  await old.stop();
  if (incarnation !== undefined)
    changes.push({ id, kind: 'departed', incarnation, committedAt: Date.now(), issuedAt });
  const index = setup?.ids.indexOf(id) ?? 0;
  await newCell(id, index).start();
}

/** Re-register `ids` paced at `ratePerSec` (each change starts on its slot; slow ones overlap). */
async function churn(message: PoolChurn): Promise<void> {
  const started = Date.now();
  const periodMs = 1_000 / message.ratePerSec;
  const pending: Promise<boolean>[] = [];
  for (const [slot, id] of message.ids.entries()) {
    const wait = started + slot * periodMs - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      reregister(id).then(
        () => true,
        (error: unknown) => {
          sendToParent({
            type: 'error',
            message: `${id}: ${error instanceof Error ? error.message : String(error)}`,
          });
          return false;
        },
      ),
    );
  }
  const results = await Promise.all(pending);
  changes.drain();
  sendToParent({ type: 'churned', failed: results.filter((ok) => !ok).length });
}

function startChurnLoop(ratePerSec: number): void {
  const ids = [...cells.keys()];
  const state = { stop: false, done: Promise.resolve() };
  state.done = (async () => {
    for (let i = 0; !state.stop && ids.length > 0; i += 1) {
      const id = ids[i % ids.length];
      if (id === undefined) break;
      const tick = sleep(1_000 / ratePerSec);
      await reregister(id).catch((error: unknown) =>
        sendToParent({
          type: 'error',
          message: `${id}: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
      await tick;
    }
    changes.drain();
  })();
  churnLoop = state;
}

function report(promise: Promise<void>): void {
  promise.catch((error: unknown) => {
    sendToParent({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
}

// The orchestrator died: do not linger (its registry kills us too, this covers a crash of its own).
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToPool) => {
  switch (message.type) {
    case 'start':
      report(startAll(message));
      return;
    case 'churn':
      report(churn(message));
      return;
    case 'churnLoop':
      startChurnLoop(message.ratePerSec);
      return;
    case 'stopChurn': {
      const loop = churnLoop;
      churnLoop = undefined;
      if (loop !== undefined) loop.stop = true;
      report((loop?.done ?? Promise.resolve()).then(() => sendToParent({ type: 'churnStopped' })));
      return;
    }
    case 'stats': {
      const memory = process.memoryUsage();
      sendToParent({ type: 'stats', rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20 });
      return;
    }
  }
});
sendToParent({ type: 'ready' });
