import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { processAlive, readStat } from '../../src/process/process-group.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/workers.js';

const consul = useDevAgent();
const candidates: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(candidates.splice(0).map((child) => stopCandidate(child)));
});

/** The command: record the token it was given in MARKERS/<identity>, then run until stopped. */
const WORKER = 'echo "$BATON_FENCING_TOKEN $BATON_SESSION" >"$MARKERS/$BATON_IDENTITY"; exec sleep 600';

/** A 2 s confirmation budget: on a loaded machine the holder must not lose its term during the test. */
const RELAXED = ['--confirm-interval', '1s', '--check-ttl', '3s', '--lock-delay', '3s'];

function startCandidate(singleton: string, identity: string, addr: string, markers: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [CLI, 'run', '--singleton', singleton, '--identity', identity, ...RELAXED, '--', 'sh', '-c', WORKER],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CONSUL_HTTP_ADDR: addr, MARKERS: markers, BATON_LOG_LEVEL: 'warn' },
    },
  );
  child.stderr.resume();
  candidates.push(child);
  return child;
}

function stopCandidate(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** The pre-forked launchers a candidate holds: its children still held at the gate. */
function launchersOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && readStat(entry)?.ppid === parent)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8')
          .split('\0')
          .includes('baton-launch');
      } catch {
        return false;
      }
    });
}

function marker(markers: string, identity: string): { token: number; session: string } | undefined {
  const file = join(markers, identity);
  if (!existsSync(file)) return undefined;
  const [token, session] = readFileSync(file, 'utf8').trim().split(' ');
  return { token: Number(token), session: session ?? '' };
}

describe.skipIf(process.platform !== 'linux')('baton run: the pre-forked command', () => {
  it('never runs without the lock, and sees the fencing token of its term', async () => {
    const { agent, client } = consul.get();
    const singleton = uniquePrefix('prefork').replace('baton-test/', 't-');
    const lockKey = new KvLayout().locks.singleton(singleton);
    const markers = mkdtempSync(join(tmpdir(), 'baton-prefork-'));
    const a = startCandidate(singleton, 'a', agent.httpAddr, markers);
    await waitFor(() => marker(markers, 'a') !== undefined, { timeoutMs: 30_000, message: 'a never ran' });
    const b = startCandidate(singleton, 'b', agent.httpAddr, markers);
    const c = startCandidate(singleton, 'c', agent.httpAddr, markers);
    const d = startCandidate(singleton, 'd', agent.httpAddr, markers);
    // Both waiters hold a launcher, forked and blocked before the command (a command run early shows too).
    const ranEarly = (): boolean => ['b', 'c', 'd'].some((id) => marker(markers, id) !== undefined);
    let launcherC: number[] = [];
    let launcherD: number[] = [];
    await waitFor(
      () => {
        launcherC = launchersOf(c.pid ?? 0);
        launcherD = launchersOf(d.pid ?? 0);
        const held = launchersOf(b.pid ?? 0).length + launcherC.length + launcherD.length;
        return ranEarly() || held === 3;
      },
      { timeoutMs: 30_000, message: 'no pre-forked launcher while waiting' },
    );
    expect(marker(markers, 'b')).toBeUndefined();
    expect(marker(markers, 'c')).toBeUndefined();
    expect(marker(markers, 'd')).toBeUndefined();
    expect(launcherC).toHaveLength(1);

    // The holder's command saw the term's fencing token: the ModifyIndex of the acquire.
    const held = await client.kv.get(lockKey, { consistency: 'consistent' });
    expect(marker(markers, 'a')).toEqual({ token: held.value?.modifyIndex, session: held.value?.session });

    // A waiter stopped while waiting: its launcher dies and its command never runs.
    await stopCandidate(c);
    expect(launcherC.filter((pid) => processAlive(pid))).toEqual([]);
    expect(marker(markers, 'c')).toBeUndefined();

    // A waiter killed outright: the kernel's parent-death signal (and the pipe's end) take its launcher.
    const killed = new Promise((resolve) => d.once('exit', resolve));
    d.kill('SIGKILL');
    await killed;
    await waitFor(() => launcherD.every((pid) => !processAlive(pid)), {
      timeoutMs: 10_000,
      message: 'the launcher outlived its killed candidate',
    });
    expect(marker(markers, 'd')).toBeUndefined();

    // The holder hands over: the successor's command runs once, with the new term's token.
    const first = marker(markers, 'a')?.token ?? 0;
    await stopCandidate(a);
    await waitFor(() => marker(markers, 'b') !== undefined, { timeoutMs: 30_000, message: 'b never ran' });
    const next = await client.kv.get(lockKey, { consistency: 'consistent' });
    expect(marker(markers, 'b')).toEqual({ token: next.value?.modifyIndex, session: next.value?.session });
    expect(marker(markers, 'b')?.token).toBeGreaterThan(first);
    expect(marker(markers, 'c')).toBeUndefined();
    expect(marker(markers, 'd')).toBeUndefined();
  });
});
