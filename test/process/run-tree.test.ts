import { afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/process/process-group.js';
import { useDevAgent, uniquePrefix } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/workers.js';
import { startCli, type CliProcess } from '../support/built-cli.js';
import { ActsLog, childrenOf, type Act, firstMono, lastMono } from './process-tree.js';

// The worker is a process tree: `sh -c 'worker & wait'`. Every test checks the grandchild, which the
// kernel's parent-death signal does not cover and which outlives its shell when asked to drain.

const consul = useDevAgent();
const started: CliProcess[] = [];
const logs: ActsLog[] = [];

afterEach(() => {
  for (const p of started.splice(0)) {
    if (p.child.pid !== undefined && p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGCONT');
      process.kill(-p.child.pid, 'SIGKILL');
    }
  }
  for (const log of logs.splice(0)) log.killAll();
});

function newLog(): ActsLog {
  const log = new ActsLog();
  logs.push(log);
  return log;
}

function baton(args: readonly string[]): CliProcess {
  const p = startCli(CLI, consul.get().agent.httpAddr, args);
  started.push(p);
  return p;
}

function candidate(
  singleton: string,
  identity: string,
  log: ActsLog,
  flags: readonly string[] = [],
): CliProcess {
  return baton([
    'run',
    '--singleton',
    singleton,
    '--identity',
    identity,
    ...flags,
    '--',
    ...log.forkingCommand(),
  ]);
}

const singletonName = (label: string): string => uniquePrefix(label).replace('baton-test/', 't-');

async function acting(log: ActsLog, token: string, count = 3): Promise<void> {
  await waitFor(() => log.actsOf(token).filter((a) => a.event === 'act').length >= count, {
    message: `worker ${token} never acted`,
  });
}

async function nthToken(log: ActsLog, n: number): Promise<string> {
  await waitFor(() => log.tokens().length >= n, { message: `worker ${n} never started` });
  const token = log.tokens()[n - 1];
  if (token === undefined) throw new Error(`worker ${n} missing`);
  return token;
}

/** killGrace above the worker's 1 s drain, so it drains fully rather than being killed; a safe lock-delay. */
const drainingFlags = (lockDelay: string): string[] => ['--kill-grace', '3s', '--lock-delay', lockDelay];

/** A lone `baton run` whose forked worker is acting. */
async function loneHolder(label: string): Promise<{ supervisor: CliProcess; worker: Act | undefined }> {
  const log = newLog();
  const supervisor = candidate(singletonName(label), 'a', log);
  await acting(log, await nthToken(log, 1));
  return { supervisor, worker: log.workers()[0] };
}

/** A holder whose worker is acting, and a second candidate waiting behind it. */
async function holderAndSuccessor(
  label: string,
  flags: readonly string[] = [],
): Promise<{ log: ActsLog; holder: CliProcess; holderToken: string }> {
  const log = newLog();
  const name = singletonName(label);
  const holder = candidate(name, 'holder', log, flags);
  const holderToken = await nthToken(log, 1);
  await acting(log, holderToken);
  candidate(name, 'successor', log, flags);
  return { log, holder, holderToken };
}

describe('baton run supervises the whole process tree of its command', () => {
  it('SIGKILL of baton run alone leaves no grandchild alive', async () => {
    const { supervisor, worker } = await loneHolder('tree-kill');
    supervisor.child.kill('SIGKILL');
    await waitFor(() => !processAlive(worker?.pid ?? 0), {
      timeoutMs: 15_000,
      message: 'the grandchild outlived its SIGKILLed supervisor',
    });
  });

  it('SIGTERM: the lock is released only after the draining grandchild is gone', async () => {
    const { log, holder, holderToken } = await holderAndSuccessor('tree-term', drainingFlags('4s'));
    holder.child.kill('SIGTERM');
    const secondToken = await nthToken(log, 2);
    await acting(log, secondToken);
    expect(await holder.exited).toBe(0);
    const old = log.actsOf(holderToken);
    expect(old.map((a) => a.event)).toContain('exit');
    expect(lastMono(old)).toBeLessThan(firstMono(log.actsOf(secondToken)));
  });

  it('a supervisor frozen alone (SIGSTOP): the watchdog kills the grandchild before a successor acts', async () => {
    const { log, holder, holderToken } = await holderAndSuccessor('tree-stop');
    const [worker] = log.workers();
    holder.child.kill('SIGSTOP');
    try {
      const secondToken = await nthToken(log, 2);
      await acting(log, secondToken, 20);
      expect(processAlive(worker?.pid ?? 0)).toBe(false);
      expect(lastMono(log.actsOf(holderToken))).toBeLessThan(firstMono(log.actsOf(secondToken)));
    } finally {
      holder.child.kill('SIGCONT');
    }
  });

  it('a second SIGTERM during the clean stop is logged; the stop stays clean and hands over at once', async () => {
    // A 20 s lock-delay: a successor well inside it proves the lock was released, not left to expire.
    const { log, holder, holderToken } = await holderAndSuccessor('tree-twice', drainingFlags('20s'));
    const terminatedAt = Date.now();
    holder.child.kill('SIGTERM');
    await waitFor(() => log.actsOf(holderToken).some((a) => a.event === 'draining'));
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
    expect(holder.stderr()).toMatch(/already stopping/);
    const secondToken = await nthToken(log, 2);
    const second = log.actsOf(secondToken);
    expect((second[0]?.at ?? Infinity) - terminatedAt).toBeLessThan(10_000);
    expect(lastMono(log.actsOf(holderToken))).toBeLessThan(firstMono(second));
  });

  it('a dead watchdog is lost safety: the worker tree is stopped and baton run exits 1', async () => {
    const { supervisor, worker } = await loneHolder('tree-watchdog');
    const watchdog = childrenOf(supervisor.child.pid ?? 0).find((c) => c.args.includes('watchdog-main'));
    expect(watchdog).toBeDefined();
    process.kill(watchdog?.pid ?? 0, 'SIGKILL');
    expect(await supervisor.exited).toBe(1);
    expect(processAlive(worker?.pid ?? 0)).toBe(false);
    expect(supervisor.stderr()).toMatch(/watchdog process died/);
  });
});

describe('baton lock --try supervises the whole process tree of its command', () => {
  it('SIGKILL of baton lock alone leaves no grandchild alive', async () => {
    const log = newLog();
    const supervisor = baton(['lock', '--try', singletonName('tree-lock'), '--', ...log.forkingCommand()]);
    await waitFor(() => log.workers().length === 1, { message: 'the locked command never started' });
    const [worker] = log.workers();
    supervisor.child.kill('SIGKILL');
    await waitFor(() => !processAlive(worker?.pid ?? 0), {
      timeoutMs: 15_000,
      message: 'the grandchild outlived its SIGKILLed supervisor',
    });
  });

  it('a supervisor frozen alone (SIGSTOP): the next holder acts only after the grandchild is killed', async () => {
    const log = newLog();
    const resource = singletonName('tree-lock-stop');
    const frozen = baton(['lock', '--try', resource, '--', ...log.forkingCommand()]);
    const holderToken = await nthToken(log, 1);
    expect(holderToken).toMatch(/^\d+$/); // BATON_FENCING_TOKEN reached the grandchild
    await acting(log, holderToken);
    frozen.child.kill('SIGSTOP');
    try {
      // Others are dropped while the key is held or in lock-delay; keep trying until one runs.
      await waitFor(
        async () => {
          const attempt = baton(['lock', '--try', resource, '--', ...log.forkingCommand()]);
          const outcome = await Promise.race([
            attempt.exited,
            waitFor(() => log.tokens().length >= 2, { timeoutMs: 5_000 }).then(() => 'ran' as const),
          ]);
          return outcome === 'ran';
        },
        { timeoutMs: 30_000, message: 'no second holder ever ran' },
      );
      const secondToken = await nthToken(log, 2);
      await acting(log, secondToken);
      expect(Number(secondToken)).toBeGreaterThan(Number(holderToken));
      expect(lastMono(log.actsOf(holderToken))).toBeLessThan(firstMono(log.actsOf(secondToken)));
    } finally {
      frozen.child.kill('SIGCONT');
    }
  });
});
