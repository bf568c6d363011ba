import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listCells } from '../../src/presence/live-cells.js';
import { monotonicNowMs } from '../history.js';
import { startCellRole, type CellRole } from './cells.js';
import { RUN_TAG_VAR, type CampaignContext } from './context.js';
import { FaultInjector } from './faults.js';
import { FencedStore } from './fenced-store.js';
import { HistoryFiles } from './history-files.js';
import { Prng } from './prng.js';
import { bigLabels, finalLogs, OrphanReaper, recordCells } from './end-of-run.js';
import { signalEach, taggedProcesses } from './process-tree.js';
import { controllers, libraryCandidates, lockExecutors, runCandidates, type Role } from './roles.js';
import { Subscribers } from './subscribers.js';
import type { TopologyName } from './topology.js';
import { Topology } from './topology.js';

export interface CampaignSettings {
  readonly seed: number;
  readonly topology: TopologyName;
  /** Stop injecting after this many faults, or after `durationMs`, whichever comes first. */
  readonly faults: number;
  readonly durationMs: number;
  readonly cells: number;
  /** Faults running at once, at most. */
  readonly concurrency: number;
  readonly settleMs: number;
  readonly onProgress?: (message: string) => void;
}

export interface CampaignRun {
  readonly historyDir: string;
  readonly faults: ReadonlyMap<string, number>;
  readonly injectingMs: number;
  readonly totalMs: number;
  readonly maxLoad1m: number;
}

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

/** Run one campaign: start the population, inject faults, heal, settle, record, stop. */
export async function runCampaign(settings: CampaignSettings, stop: AbortSignal): Promise<CampaignRun> {
  const started = Date.now();
  const progress = settings.onProgress ?? ((): void => undefined);
  const historyDir = mkdtempSync(join(tmpdir(), `baton-chaos-${settings.topology}-`));
  const runTag = randomUUID();
  const store = await FencedStore.start();
  const topology = await Topology.start(settings.topology);
  const context: CampaignContext = {
    topology,
    history: new HistoryFiles(historyDir),
    store,
    seed: settings.seed,
    runTag,
    cli: CLI,
  };
  const roles: Role[] = [];
  const timers: NodeJS.Timeout[] = [];
  let maxLoad = loadavg()[0] ?? 0;
  try {
    progress(`${settings.topology}: Consul up; starting the population (history in ${historyDir})`);
    const ctl = await controllers(context, 2);
    const actors = [
      ...(await runCandidates(context, ['run-a', 'run-b'])),
      ...(await libraryCandidates(context, 'lib-a')),
      ...(await lockExecutors(context, ['res-a', 'res-b'], 3)),
    ];
    const cells: CellRole[] = [];
    for (let i = 1; i <= settings.cells; i += 1)
      cells.push(
        await startCellRole(context, { id: `cell-${i}`, hostIndex: i, respawn: true, ownToken: i <= 2 }),
      );
    let oversized = 0;
    const oneOffs: CellRole[] = [];
    roles.push(...ctl, ...actors, ...cells);
    for (const role of roles) role.slot.start();
    const subscribers = new Subscribers(
      topology.observer(),
      context.history,
      ctl.map((c) => `http://${c.http}/events`),
    );
    await subscribers.start();
    timers.push(setInterval(() => void sampleListing(context), 2_000));
    timers.push(setInterval(() => (maxLoad = Math.max(maxLoad, loadavg()[0] ?? 0)), 5_000));
    const reaper = new OrphanReaper(runTag);
    timers.push(setInterval(() => reaper.reap(), 1_000));
    await new Promise((r) => setTimeout(r, 5_000));

    const injector = new FaultInjector(
      context,
      {
        actors,
        cells,
        controllers: ctl,
        oversizedCell: async () => {
          oversized += 1;
          const cell = await startCellRole(context, {
            id: `big-${oversized}`,
            hostIndex: oversized,
            respawn: false,
            extraArgs: bigLabels(),
          });
          oneOffs.push(cell);
          cell.slot.start();
          return cell;
        },
      },
      new Prng(settings.seed),
    );
    const injectStart = Date.now();
    let injected = 0;
    const running = new Set<Promise<unknown>>();
    while (!stop.aborted && injected < settings.faults && Date.now() - injectStart < settings.durationMs) {
      if (running.size >= settings.concurrency) {
        await Promise.race(running);
        continue;
      }
      const task = injector.injectOne().then(
        (kind) => {
          if (kind !== undefined) injected += 1;
          if (kind !== undefined && injected % 25 === 0)
            progress(`${settings.topology}: ${injected} faults injected`);
        },
        (error: unknown) => progress(`fault failed: ${String(error)}`),
      );
      running.add(task);
      void task.finally(() => running.delete(task));
      await new Promise((r) => setTimeout(r, injector.random.int(200, 1_500)));
    }
    const injectingMs = Date.now() - injectStart;
    progress(`${settings.topology}: stopped injecting after ${injected} faults; healing and settling`);
    await Promise.allSettled(running);
    for (const role of roles) role.slot.start();
    await new Promise((r) => setTimeout(r, settings.settleMs));

    // Cells stop cleanly first, while the controllers still watch: their departures are judged too.
    progress(`${settings.topology}: stopping the cells cleanly`);
    await Promise.all([...cells, ...oneOffs].map((cell) => cell.slot.stop()));
    await new Promise((r) => setTimeout(r, Math.min(settings.settleMs, 5_000)));
    const heads = await finalLogs(context);
    await subscribers.finish(heads, 20_000);
    const records = await recordCells(context);
    progress(`${settings.topology}: ${String(records)} cell records; stopping everything`);
    for (const timer of timers) clearInterval(timer);
    await Promise.all(roles.map((role) => role.slot.stop()));
    return {
      historyDir,
      faults: injector.counts,
      injectingMs,
      totalMs: Date.now() - started,
      maxLoad1m: maxLoad,
    };
  } finally {
    for (const timer of timers) clearInterval(timer);
    await Promise.allSettled(roles.map((role) => role.slot.stop(2_000)));
    signalEach(taggedProcesses(RUN_TAG_VAR, runTag), 'SIGKILL');
    await Promise.allSettled(roles.map((role) => role.proxy.close()));
    await store.close();
    await topology.dispose();
  }
}

async function sampleListing(context: CampaignContext): Promise<void> {
  const t = monotonicNowMs();
  try {
    const cells = await listCells(context.topology.observer());
    context.history.write({
      k: 'listing',
      t,
      cells: cells.map((c) => ({ cell: c.id, incarnation: c.incarnation })),
    });
  } catch {
    // Consul unavailable at this moment (a leader change): no sample.
  }
}
