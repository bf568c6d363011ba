import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/process/process-group.js';
import { startCli, type CliProcess } from '../support/built-cli.js';
import { useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/workers.js';
import { ActsLog, PresenceRecorder, type Act } from './process-tree.js';

// A workload stopped by its own supervisor (monit, systemd: SIGTERM straight to its pid) departs cleanly,
// and only once everything it forked is gone.

const consul = useDevAgent();
let presence: PresenceRecorder;
const started: CliProcess[] = [];
const logs: ActsLog[] = [];
let counter = 0;

beforeAll(async () => {
  presence = await PresenceRecorder.start(consul.get().client);
}, 180_000);

afterAll(async () => {
  await presence.stop();
  for (const p of started) {
    if (p.child.pid !== undefined && p.child.exitCode === null && p.child.signalCode === null) {
      process.kill(-p.child.pid, 'SIGKILL');
    }
  }
  for (const log of logs) log.killAll();
});

function cell(id: string, cmd: readonly string[]): CliProcess {
  const args = ['cell', '--id', id, '--address', '127.0.0.1:7001', '--', ...cmd];
  const p = startCli(CLI, consul.get().agent.httpAddr, args);
  started.push(p);
  return p;
}

const freshId = (label: string): string => `${label}-${process.pid}-${(counter += 1)}`;
const typesFor = (id: string): string[] => presence.typesFor(id);
const ended = (id: string): boolean => presence.ended(id);

/** A workload that prints its pid, then runs until signalled; `handler` is its code for `signal`, if any. */
function workload(signal: NodeJS.Signals, handler: string | undefined): string[] {
  const handle = handler === undefined ? '' : `process.on('${signal}', () => { ${handler} });`;
  return [process.execPath, '-e', `${handle} console.log('pid', process.pid); setInterval(() => {}, 1000)`];
}

async function workloadPid(p: CliProcess): Promise<number> {
  await waitFor(() => /pid (\d+)/.test(p.stdout()), { message: 'the workload never started' });
  return Number(/pid (\d+)/.exec(p.stdout())?.[1]);
}

/** A registered `baton cell` whose workload forked a worker that now acts. */
async function forkingCell(
  label: string,
): Promise<{ log: ActsLog; id: string; p: CliProcess; worker: Act | undefined }> {
  const log = new ActsLog();
  logs.push(log);
  const id = freshId(label);
  const p = cell(id, log.forkingCommand());
  await waitFor(() => log.workers().length === 1 && typesFor(id).includes('CellRegistered'));
  return { log, id, p, worker: log.workers()[0] };
}

describe('baton cell: the workload is a process tree, and its own supervisor may stop it', () => {
  it('SIGTERM to the workload pid departs cleanly, after the draining grandchild is gone', async () => {
    const { log, id, p, worker } = await forkingCell('tree');
    // The shell is the workload Baton started: its supervisor signals it, not the grandchild.
    process.kill(worker?.ppid ?? 0, 'SIGTERM');
    await waitFor(() => ended(id), { message: `${id} never departed nor was lost` });
    expect(processAlive(worker?.pid ?? 0)).toBe(false);
    expect(log.acts().map((a) => a.event)).toContain('exit');
    expect(typesFor(id)).toEqual(['CellRegistered', 'CellDeparted']);
    expect(await p.exited).toBe(143);
  });

  it('SIGKILL of baton cell alone leaves no grandchild alive, and the cell is lost', async () => {
    const { id, p, worker } = await forkingCell('tree-kill');
    p.child.kill('SIGKILL');
    await waitFor(() => !processAlive(worker?.pid ?? 0), { message: 'the grandchild outlived baton cell' });
    await waitFor(() => ended(id), { message: `${id} was never reported lost` });
    expect(typesFor(id)).toEqual(['CellRegistered', 'CellLost']);
  });

  it.each([
    ['dies of SIGTERM', 'SIGTERM', undefined, 'CellDeparted'],
    ['exits 143 on SIGTERM', 'SIGTERM', 'process.exit(143)', 'CellDeparted'],
    ['dies of SIGINT', 'SIGINT', undefined, 'CellDeparted'],
    ['exits 130 on SIGINT', 'SIGINT', 'process.exit(130)', 'CellDeparted'],
    ['is SIGKILLed', 'SIGKILL', undefined, 'CellLost'],
    ['dies of SIGHUP', 'SIGHUP', undefined, 'CellLost'],
    ['exits 1 on SIGTERM', 'SIGTERM', 'process.exit(1)', 'CellLost'],
  ] as const)(
    'its own supervisor signals a workload that %s (%s, handler %s): %s',
    async (_label, signal, handler, expected) => {
      const id = freshId('own');
      const p = cell(id, workload(signal, handler));
      const pid = await workloadPid(p);
      await waitFor(() => typesFor(id).includes('CellRegistered'));
      process.kill(pid, signal);
      await waitFor(() => ended(id), { message: `${id} never departed nor was lost` });
      expect(typesFor(id)).toEqual(['CellRegistered', expected]);
    },
  );
});
