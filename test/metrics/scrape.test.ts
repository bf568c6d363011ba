import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/ports.js';
import { LONG_RUNNING } from '../support/built-cli.js';
import { CliProcesses, baton } from '../support/cli.js';
import { useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

// One agent per file; these tests share Baton's default root, so they run one after another.
const consul = useDevAgent();
const processes = new CliProcesses();

afterEach(async () => {
  await processes.stopAll();
});

const env = (): NodeJS.ProcessEnv => ({ CONSUL_HTTP_ADDR: consul.get().agent.httpAddr });

/** `promtool check metrics`: client_golang's parser and promlint, provisioned by the global setup. */
function promlint(exposition: string): { status: number | null; problems: string } {
  const bin = process.env['BATON_TEST_PROMLINT_BIN'];
  if (bin === undefined) throw new Error('BATON_TEST_PROMLINT_BIN is unset: the global setup did not run');
  const result = spawnSync(bin, [], { input: exposition, encoding: 'utf8' });
  return { status: result.status, problems: `${result.stdout}${result.stderr}` };
}

async function endpoint(args: readonly string[]): Promise<string> {
  const port = await freePort();
  processes.start([...args.slice(0, 1), '--http', `127.0.0.1:${port}`, ...args.slice(1)], env());
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/metrics`).catch(() => undefined))?.ok === true, {
    timeoutMs: 20_000,
  });
  return base;
}

const scrape = async (base: string): Promise<string> => (await fetch(`${base}/metrics`)).text();

/** The value of one sample line (`name{labels} value`), undefined when absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function applySingleton(name: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-manifest-')), 'm.yaml');
  writeFileSync(file, `apiVersion: baton/v1\nkind: Singleton\nmetadata:\n  name: ${name}\nspec: {}\n`);
  const result = baton(['apply', '-f', file], env());
  expect(result.status, result.stderr).toBe(0);
}

describe('metrics through a real Prometheus parser and linter', () => {
  it('the controller, baton run --http and baton cell --http pass promlint after real activity', async () => {
    applySingleton('scraped');
    const controller = await endpoint(['controller', '--identity', 'ctl-scrape', '--resync', '5']);
    const run = await endpoint(['run', '--singleton', 'scraped', '--identity', 'w1', '--', 'sleep', '600']);
    const cell = await endpoint([
      'cell',
      '--id',
      'scraped-cell',
      '--address',
      '127.0.0.1:1',
      '--',
      ...LONG_RUNNING,
    ]);
    await waitFor(
      async () => sample(await scrape(run), 'baton_singleton_leader{singleton="scraped"}') === 1,
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor(
      async () => {
        const text = await scrape(controller);
        return (
          sample(text, 'baton_singleton_holder{singleton="scraped",holder="w1"}') === 1 &&
          sample(text, 'baton_cells{phase="Present"}') === 1
        );
      },
      { timeoutMs: 30_000 },
    );
    await waitFor(async () => (await fetch(`${cell}/healthz`)).status === 200, { timeoutMs: 20_000 });
    expect((await fetch(`${run}/healthz`)).status).toBe(200);

    for (const base of [controller, run, cell]) {
      const text = await scrape(base);
      const lint = promlint(text);
      expect(lint.problems, `${base}/metrics`).not.toMatch(/: /);
      expect(lint.status, lint.problems).toBe(0);
      // Standard names, so stock dashboards work; Baton's own under baton_.
      expect(text).toMatch(/^process_cpu_seconds_total /m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
      expect(text).toMatch(/^baton_build_info\{version="[^"]+",nodejs_version="v[^"]+",consul_version=/m);
      expect(text).toMatch(
        /^baton_consul_requests_total\{endpoint="\/v1\/[^"]*",method="\w+",code="200"\} /m,
      );
      expect(text).toMatch(/^baton_consul_request_duration_seconds_count\{/m);
      expect(text).toMatch(/^baton_consul_response_bytes_total\{endpoint="\/v1\/[^"]*"\} [1-9]/m);
      expect(text).toMatch(/^baton_lease_confirmation_age_seconds\{lease="[^"]+"\} /m);
      expect(text).not.toMatch(/^baton_process_/m);
    }
    const controllerText = await scrape(controller);
    expect(sample(controllerText, 'baton_workqueue_adds_total{kind="Singleton"}')).toBeGreaterThan(0);
    expect(controllerText).toMatch(/^baton_workqueue_longest_running_processor_seconds\{kind="Cell"\} /m);
    expect(controllerText).toMatch(/^baton_event_log_head\{stream="presence"\} [1-9]/m);
    expect(controllerText).toMatch(/^baton_event_subscriber_lag\{stream="presence"\} /m);
    expect(controllerText).not.toMatch(/kind="(singletons|cells)"/);
    expect(sample(controllerText, 'baton_singleton_leader{singleton="baton-controller"}')).toBe(1);
  });

  it('a SIGTERMed holder is handed over, a SIGKILLed one failed over: events and counters agree', async () => {
    applySingleton('handover');
    const controller = await endpoint(['controller', '--identity', 'ctl-handover', '--resync', '5']);
    const candidate = (identity: string) =>
      processes.start(
        ['run', '--singleton', 'handover', '--identity', identity, '--', 'sleep', '600'],
        env(),
      );
    const first = candidate('h1');
    await waitFor(async () => (await scrape(controller)).includes('holder="h1"} 1'), { timeoutMs: 30_000 });
    const second = candidate('h2');
    // h2 campaigns (its session is a candidate) before h1 goes, so the change is a direct one.
    await waitFor(() => baton(['get', 'singletons', 'handover', '-o', 'json'], env()).stdout.includes('h2'), {
      timeoutMs: 30_000,
    });
    first.kill('SIGTERM');
    await waitFor(async () => (await scrape(controller)).includes('holder="h2"} 1'), { timeoutMs: 30_000 });
    candidate('h3');
    await waitFor(() => baton(['get', 'singletons', 'handover', '-o', 'json'], env()).stdout.includes('h3'), {
      timeoutMs: 30_000,
    });
    second.kill('SIGKILL');
    await waitFor(async () => (await scrape(controller)).includes('holder="h3"} 1'), { timeoutMs: 60_000 });

    const text = await scrape(controller);
    expect(sample(text, 'baton_singleton_handovers_total{singleton="handover"}')).toBe(1);
    expect(sample(text, 'baton_singleton_failovers_total{singleton="handover"}')).toBe(1);
    const events = baton(['events', '--stream', 'singletons', '-o', 'json'], env());
    const changes = events.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; subject: string; reason: string })
      .filter((event) => event.subject === 'handover' && event.type === 'HolderChanged')
      .map((event) => event.reason);
    expect(changes).toEqual(['Acquired', 'HandedOver', 'FailedOver']);
  });
});
