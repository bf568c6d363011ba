import { afterEach, describe, it } from 'vitest';
import { Cell } from '../../src/presence/cell.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { CliProcesses, baton } from '../support/cli.js';
import { useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

// Baton's fixed record prefixes: one agent for this file, tests one after another.
const consul = useDevAgent();
const processes = new CliProcesses();

afterEach(async () => {
  await processes.stopAll();
});

const env = (): NodeJS.ProcessEnv => ({ CONSUL_HTTP_ADDR: consul.get().agent.httpAddr });

const phaseOf = (id: string): RegExp => new RegExp(`^${id}\\s+(\\S+)`, 'm');

function cellPhase(id: string): string | undefined {
  return phaseOf(id).exec(baton(['get', 'cells'], env()).stdout)?.[1];
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
  await waitFor(() => cellPhase(id) === 'Present', { timeoutMs: 30_000 });
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
  it('a CellLost committed while no controller ran still turns the Cell record Lost', async () => {
    await endWhileNoController('status-cell-1', (cell) => cell.abandon(), 'CellLost');
    await waitFor(() => cellPhase('status-cell-1') === 'Lost', {
      timeoutMs: 60_000,
      message: 'the new controller never set the Cell record to Lost',
    });
  });

  it('a clean stop while no controller ran turns the Cell record Departed', async () => {
    await endWhileNoController('status-cell-2', (cell) => cell.stop(), 'CellDeparted');
    await waitFor(() => cellPhase('status-cell-2') === 'Departed', { timeoutMs: 60_000 });
  });
});
