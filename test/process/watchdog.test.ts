import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { endedCleanly, exitCodeOf, type ChildExit } from '../../src/process/exit-status.js';
import { groupAlive, signalGroup } from '../../src/process/process-group.js';
import { superviseCommand, type StopDeadline } from '../../src/process/supervise-command.js';
import { Watchdog } from '../../src/process/watchdog.js';
import { waitFor } from '../support/wait.js';

// The watchdog process against real process groups, with a deadline moved by hand as server
// confirmations would move it. No Consul: this is the part that must work when nothing else does.

const watchdogs: Watchdog[] = [];
const groups: number[] = [];

afterEach(async () => {
  for (const pgid of groups.splice(0)) signalGroup(pgid, 'SIGKILL');
  await Promise.all(watchdogs.splice(0).map((w) => w.close()));
});

/** A deadline the test moves, as a term does on each confirmation. */
class MovableDeadline implements StopDeadline {
  #deadlineMs: number;
  readonly #listeners = new Set<(deadlineMs: number) => void>();

  constructor(deadlineMs: number) {
    this.#deadlineMs = deadlineMs;
  }

  stopDeadline(): number {
    return this.#deadlineMs;
  }

  onStopDeadline(listener: (deadlineMs: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  move(deadlineMs: number): void {
    this.#deadlineMs = deadlineMs;
    for (const listener of this.#listeners) listener(deadlineMs);
  }
}

async function supervisedTree(
  script = 'sleep 60 & wait',
  deadline?: StopDeadline,
): Promise<ReturnType<typeof superviseCommand>> {
  const watchdog = await Watchdog.start(silentLogger);
  watchdogs.push(watchdog);
  const command = superviseCommand({
    command: 'sh',
    args: ['-c', script],
    variables: {},
    killGraceMs: 500,
    watchdog,
    ...(deadline === undefined ? {} : { deadline }),
    log: silentLogger,
  });
  groups.push(command.pid ?? 0);
  return command;
}

describe('the watchdog process', () => {
  it('kills the whole group once the deadline stops moving, never before', async () => {
    // A wide margin: the test's own loop may run late on a loaded machine, and a late move is a real stop.
    const deadline = new MovableDeadline(performance.now() + 2_000);
    const command = await supervisedTree(undefined, deadline);
    const movingUntil = performance.now() + 1_500;
    while (performance.now() < movingUntil) {
      expect(groupAlive(command.pid ?? 0)).toBe(true);
      deadline.move(performance.now() + 2_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lastDeadline = deadline.stopDeadline();
    const { exit } = await command.done;
    expect(performance.now()).toBeGreaterThanOrEqual(lastDeadline);
    expect(exit.signal).toBe('SIGKILL');
    expect(groupAlive(command.pid ?? 0)).toBe(false);
  });

  it('with no deadline, kills nothing until its supervisor goes away', async () => {
    const command = await supervisedTree();
    const watchdog = watchdogs[0];
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(groupAlive(command.pid ?? 0)).toBe(true);
    // Closing its stdin is what the kernel does when the supervisor dies.
    await watchdog?.close();
    await waitFor(() => !groupAlive(command.pid ?? 0), { message: 'the group outlived the supervisor' });
    expect((await command.done).exit.signal).toBe('SIGKILL');
  });

  it('a direct child that exits leaves no descendant behind once done resolves', async () => {
    const command = await supervisedTree('sleep 60 & exit 0');
    const { exit, stoppedBy } = await command.done;
    expect(exit.code).toBe(0);
    expect(stoppedBy).toBeUndefined();
    expect(groupAlive(command.pid ?? 0)).toBe(false);
  });
});

describe('a clean end of a workload', () => {
  it.each<[ChildExit, boolean]>([
    [{ code: 0, signal: null }, true],
    [{ code: null, signal: 'SIGTERM' }, true],
    [{ code: null, signal: 'SIGINT' }, true],
    [{ code: 143, signal: null }, true],
    [{ code: 130, signal: null }, true],
    [{ code: null, signal: 'SIGKILL' }, false],
    [{ code: 137, signal: null }, false],
    [{ code: null, signal: 'SIGHUP' }, false],
    [{ code: 1, signal: null }, false],
    [{ code: 2, signal: null }, false],
  ])('%o is clean: %s', (exit, clean) => {
    expect(endedCleanly(exit)).toBe(clean);
  });

  it('reports death by a signal as 128 + its number', () => {
    expect(exitCodeOf({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(exitCodeOf({ code: null, signal: 'SIGUSR1' })).toBe(138);
  });
});
