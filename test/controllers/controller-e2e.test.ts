import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/ports.js';
import { CliProcesses, baton } from '../support/cli.js';
import { useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

// One agent per file; these tests share Baton's fixed record prefixes, so they run one after another.
const consul = useDevAgent();
const processes = new CliProcesses();

afterEach(async () => {
  await processes.stopAll();
});

const env = (): NodeJS.ProcessEnv => ({ CONSUL_HTTP_ADDR: consul.get().agent.httpAddr });

interface SingletonJson {
  metadata: { name: string };
  spec: { paused: boolean };
  status?: {
    holder?: string;
    fencingToken?: number;
    conditions: { type: string; status: string; reason: string; message: string }[];
  };
}

function getSingleton(name: string): SingletonJson | undefined {
  const result = baton(['get', 'singletons', name, '-o', 'json'], env());
  if (result.status !== 0) return undefined;
  return JSON.parse(result.stdout) as SingletonJson;
}

function condition(record: SingletonJson | undefined, type: string): string | undefined {
  const found = record?.status?.conditions.find((c) => c.type === type);
  return found === undefined ? undefined : `${found.status}/${found.reason}`;
}

async function startController(identity: string): Promise<string> {
  const port = await freePort();
  processes.start(
    ['controller', '--identity', identity, '--http', `127.0.0.1:${port}`, '--resync', '5'],
    env(),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, {
    timeoutMs: 20_000,
  });
  return base;
}

function manifest(name: string, spec: string): string {
  return `apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;
}

function applyText(text: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-manifest-')), 'm.yaml');
  writeFileSync(file, text);
  const result = baton(['apply', '-f', file], env());
  expect(result.status, result.stderr).toBe(0);
}

describe('the controller end to end, through the built CLI and a real Consul agent', () => {
  it('apply, then get and describe show the reconciled holder, token and conditions; /readyz /metrics /status /events answer', async () => {
    applyText(manifest('e2e-basic', '  paused: false'));
    const base = await startController('ctl-a');
    processes.start(
      ['run', '--singleton', 'e2e-basic', '--identity', 'worker-1', '--', 'sleep', '600'],
      env(),
    );
    await waitFor(() => getSingleton('e2e-basic')?.status?.holder === 'worker-1', { timeoutMs: 30_000 });
    const record = getSingleton('e2e-basic');
    expect(condition(record, 'Held')).toBe('True/LockHeld');
    expect(condition(record, 'Available')).toBe('True/WorkerRunning');
    expect(record?.status?.fencingToken).toBeGreaterThan(0);
    const describe = baton(['describe', 'singleton', 'e2e-basic'], env());
    expect(describe.status).toBe(0);
    expect(describe.stdout).toContain('worker-1');
    expect(describe.stdout).toContain('LockHeld');
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 20_000 });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/baton_singleton_holder\{singleton="e2e-basic",holder="worker-1"\} 1/);
    expect(metrics).toContain('baton_reconcile_duration_seconds');
    const status = (await (await fetch(`${base}/status`)).json()) as { controller: { state: string } };
    expect(status.controller.state).toBe('leading');
    // SSE: a new holder event arrives on /events.
    const events = new AbortController();
    const response = await fetch(`${base}/events`, { signal: events.signal });
    const reader = response.body?.getReader();
    baton(['step-down', 'e2e-basic', '--reason', 'e2e', '--wait', '0'], env());
    let seen = '';
    await waitFor(
      async () => {
        const chunk = await reader?.read();
        seen += new TextDecoder().decode(chunk?.value as Uint8Array | undefined);
        return seen.includes('event: HolderReleased') || seen.includes('event: HolderChanged');
      },
      { timeoutMs: 20_000 },
    );
    events.abort();
  });

  it('a record that fails its schema gets Invalid with the path, and the loop keeps reconciling others', async () => {
    const { client } = consul.get();
    const base = await startController('ctl-a');
    const bad = {
      apiVersion: 'baton/v1',
      kind: 'Singleton',
      metadata: { name: 'e2e-bad', generation: 1 },
      spec: { timing: { lockDelay: 'soon' } },
    };
    await client.kv.put('baton/v1/singletons/e2e-bad/spec', JSON.stringify(bad));
    applyText(manifest('e2e-good', '  paused: false'));
    await waitFor(
      async () => {
        const { value } = await client.kv.get('baton/v1/singletons/e2e-bad/status');
        return value?.value.toString().includes('SchemaViolation') === true;
      },
      { timeoutMs: 30_000 },
    );
    const { value } = await client.kv.get('baton/v1/singletons/e2e-bad/status');
    expect(value?.value.toString()).toContain('spec.timing.lockDelay');
    await waitFor(() => condition(getSingleton('e2e-good'), 'Available') === 'False/NoCandidates', {
      timeoutMs: 30_000,
    });
    const listed = baton(['get', 'singletons'], env());
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/e2e-bad\s+Invalid/);
    // The gauge is computed from the informer's snapshot when scraped.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^baton_invalid_records\{kind="Singleton"\} 1$/m);
  });

  it('paused stops the worker and preferredHolder moves it, through apply', async () => {
    applyText(manifest('e2e-steer', '  paused: false'));
    await startController('ctl-a');
    processes.start(['run', '--singleton', 'e2e-steer', '--identity', 'w1', '--', 'sleep', '600'], env());
    await waitFor(() => getSingleton('e2e-steer')?.status?.holder === 'w1', { timeoutMs: 30_000 });
    processes.start(['run', '--singleton', 'e2e-steer', '--identity', 'w2', '--', 'sleep', '600'], env());
    applyText(manifest('e2e-steer', '  preferredHolder: w2'));
    await waitFor(() => getSingleton('e2e-steer')?.status?.holder === 'w2', { timeoutMs: 30_000 });
    applyText(manifest('e2e-steer', '  paused: true'));
    await waitFor(
      () =>
        condition(getSingleton('e2e-steer'), 'Available') === 'False/Paused' &&
        getSingleton('e2e-steer')?.status?.holder === undefined,
      {
        timeoutMs: 30_000,
      },
    );
  });

  it('controller failover in the middle of a CellLost loses no event', async () => {
    const { client } = consul.get();
    const first = processes.start(['controller', '--identity', 'ctl-1', '--http', 'off'], env());
    await waitFor(
      async () => (await client.kv.get('baton/v1/locks/baton-controller')).value?.session !== undefined,
      { timeoutMs: 20_000 },
    );
    processes.start(['controller', '--identity', 'ctl-2', '--http', 'off'], env());
    const cell = processes.start(
      ['cell', '--id', 'e2e-cell-1', '--address', '127.0.0.1:7001', '--', 'sleep', '600'],
      env(),
    );
    await waitFor(() => baton(['events', '-o', 'json'], env()).stdout.includes('"e2e-cell-1"'), {
      timeoutMs: 20_000,
    });
    // Kill the active controller and the cell together: the standby must still report the loss.
    first.kill('SIGKILL');
    cell.kill('SIGKILL');
    await waitFor(
      () => {
        const lines = baton(['events', '-o', 'json'], env())
          .stdout.split('\n')
          .filter((l) => l !== '');
        return lines.some((line) => {
          const event = JSON.parse(line) as { type: string; subject: string };
          return event.type === 'CellLost' && event.subject === 'e2e-cell-1';
        });
      },
      { timeoutMs: 45_000, message: 'the standby controller never reported CellLost' },
    );
    await waitFor(() => /e2e-cell-1\s+Lost/.test(baton(['get', 'cells'], env()).stdout), {
      timeoutMs: 30_000,
    });
  });
});
