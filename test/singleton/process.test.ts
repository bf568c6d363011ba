import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsulClient } from '../../src/consul/client.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { CLI, pidAlive, WorkerLab } from '../support/workers.js';

const consul = useDevAgent();
const labs: WorkerLab[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.stopAll()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

function newLab(label: string): WorkerLab {
  const lab = new WorkerLab(
    uniquePrefix(label).replace('baton-test/', 't-'),
    `${uniquePrefix(label)}/resource`,
  );
  labs.push(lab);
  return lab;
}

/** Accepted writes to the fenced resource, in order: their tokens must never go down. */
async function auditTokens(client: ConsulClient, lab: WorkerLab): Promise<number[]> {
  const { value } = await client.kv.list(`${lab.resourceKey}-audit/`, { consistency: 'consistent' });
  return value.map((entry) => (JSON.parse(entry.value.toString()) as { token: number }).token);
}

function nonDecreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v >= (values[i - 1] ?? v));
}

async function waitForWorker(lab: WorkerLab, count: number): Promise<void> {
  await waitFor(() => lab.starts().length >= count, {
    timeoutMs: 30_000,
    message: `worker ${count} never started`,
  });
}

describe('baton run: singleton rules with real processes and a real Consul agent', () => {
  it('rule 3: SIGKILL of the worker gives exactly one successor, and the old worker dies with it', async () => {
    const { agent, client } = consul.get();
    const lab = newLab('sigkill');
    for (const id of ['a', 'b', 'c']) lab.startCandidate(id, agent.httpAddr);
    await waitForWorker(lab, 1);
    const [first] = lab.starts();
    lab.candidates.get(first?.identity ?? '')?.kill('SIGKILL');
    await waitForWorker(lab, 2);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(lab.starts()).toHaveLength(2);
    expect(pidAlive(first?.pid ?? 0)).toBe(false);
    expect(lab.overlaps()).toEqual([]);
    expect(nonDecreasing(await auditTokens(client, lab))).toBe(true);
  });

  it('rule 2: SIGTERM hands over without waiting out the lock-delay', async () => {
    const { agent } = consul.get();
    const lab = newLab('sigterm');
    // A 20 s lock-delay: a successor inside 10 s proves the handover released the key before the session died.
    const slow = ['--lock-delay', '20s'];
    for (const id of ['a', 'b']) lab.startCandidate(id, agent.httpAddr, slow);
    await waitForWorker(lab, 1);
    const [first] = lab.starts();
    const terminatedAt = Date.now();
    lab.candidates.get(first?.identity ?? '')?.kill('SIGTERM');
    await waitFor(() => lab.starts().length === 2, {
      timeoutMs: 10_000,
      message: 'no successor within 10 s',
    });
    const second = lab.starts()[1];
    expect(second?.identity).not.toBe(first?.identity);
    expect((second?.at ?? Infinity) - terminatedAt).toBeLessThan(10_000);
    expect(lab.records().some((r) => r.event === 'stop' && r.pid === first?.pid)).toBe(true);
    expect(lab.overlaps()).toEqual([]);
  });

  it('rule 1/4: a worker frozen past its deadline (SIGSTOP) never writes with its old token after the successor', async () => {
    const { agent, client } = consul.get();
    const lab = newLab('sigstop');
    lab.startCandidate('frozen', agent.httpAddr);
    await waitForWorker(lab, 1);
    lab.startCandidate('successor', agent.httpAddr);
    const [first] = lab.starts();
    const supervisor = lab.candidates.get('frozen');
    // Freeze the supervisor and its worker together, as a VM pause or a long GC pause would.
    supervisor?.kill('SIGSTOP');
    process.kill(-(first?.pid ?? 0), 'SIGSTOP');
    await waitForWorker(lab, 2);
    await waitFor(async () => (await auditTokens(client, lab)).some((t) => t > (first?.token ?? 0)));
    process.kill(-(first?.pid ?? 0), 'SIGCONT');
    supervisor?.kill('SIGCONT');
    await waitFor(() => !pidAlive(first?.pid ?? 0), {
      timeoutMs: 10_000,
      message: 'the frozen worker was not stopped',
    });
    const tokens = await auditTokens(client, lab);
    expect(nonDecreasing(tokens)).toBe(true);
    const second = lab.starts()[1];
    expect(second?.token).toBeGreaterThan(first?.token ?? Infinity);
  });

  it('rule 4: a worker cut off from Consul stops itself before a successor starts', async () => {
    const { agent } = consul.get();
    const lab = newLab('cutoff');
    const proxy = await TcpProxy.start(agent.ports.http);
    proxies.push(proxy);
    lab.startCandidate('isolated', `http://${proxy.address}`);
    await waitForWorker(lab, 1);
    lab.startCandidate('successor', agent.httpAddr);
    const [first] = lab.starts();
    proxy.blackhole();
    await waitForWorker(lab, 2);
    const terms = lab.terms();
    expect(terms[1]?.identity).toBe('successor');
    expect(lab.overlaps()).toEqual([]);
    expect(pidAlive(first?.pid ?? 0)).toBe(false);
  });

  it('rule 4, then recovery: a lone worker cut off briefly stands down, then campaigns and works again', async () => {
    const { agent } = consul.get();
    const lab = newLab('recover');
    const proxy = await TcpProxy.start(agent.ports.http);
    proxies.push(proxy);
    lab.startCandidate('lone', `http://${proxy.address}`);
    await waitForWorker(lab, 1);
    const [first] = lab.starts();
    proxy.blackhole();
    await waitFor(() => !pidAlive(first?.pid ?? 0), {
      timeoutMs: 15_000,
      message: 'the cut-off worker kept running',
    });
    proxy.restore();
    await waitForWorker(lab, 2);
    const second = lab.starts()[1];
    expect(second?.identity).toBe('lone');
    expect(second?.token).toBeGreaterThan(first?.token ?? Infinity);
    expect(lab.overlaps()).toEqual([]);
  });

  it('rejects an unsafe timing profile with a message naming the knob', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, 'run', '--singleton', 'unsafe', '--lock-delay', '500ms', '--', 'true'],
      { encoding: 'utf8', env: { ...process.env, CONSUL_HTTP_ADDR: consul.get().agent.httpAddr } },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/raise lockDelay above/);
  });

  it('baton lock --try drops the task when the resource is held (exit 3) and runs it when free', () => {
    const env = { ...process.env, CONSUL_HTTP_ADDR: consul.get().agent.httpAddr };
    const resource = uniquePrefix('exclusive').replace('baton-test/', 't-');
    const outer = spawnSync(
      process.execPath,
      [
        CLI,
        'lock',
        '--try',
        resource,
        '--',
        process.execPath,
        CLI,
        'lock',
        '--try',
        resource,
        '--',
        'echo',
        'inner ran',
      ],
      { encoding: 'utf8', env },
    );
    // The inner attempt ran while the outer held the lock: dropped with exit 3, so the outer exits 3 too.
    expect(outer.status).toBe(3);
    expect(outer.stdout).not.toContain('inner ran');
    expect(outer.stderr).toMatch(/task dropped/);
    const free = spawnSync(process.execPath, [CLI, 'lock', '--try', resource, '--', 'echo', 'ran'], {
      encoding: 'utf8',
      env,
    });
    expect(free.status).toBe(0);
    expect(free.stdout).toContain('ran');
  });
});
