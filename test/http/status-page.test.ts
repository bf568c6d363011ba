import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SingletonSchema } from '../../src/api/singleton.js';
import { SingletonKind } from '../../src/api/kinds.js';
import { ControllerDaemon } from '../../src/controllers/controller-daemon.js';
import { Singleton } from '../../src/singleton/elector.js';
import { RecordStore } from '../../src/store/record-store.js';
import { LONG_RUNNING } from '../support/built-cli.js';
import { CliProcesses } from '../support/cli.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const processes = new CliProcesses();
const root = uniquePrefix('status-page');
/** Record data is user input: the page must show it as text, never run it. */
const HOSTILE_LABEL = `<script>window.__xss = 1</script>"><img src=x onerror="window.__xss = 2">`;

let browser: Browser;
let daemon: ControllerDaemon;
let holder: Singleton;
let base: string;
const cells = new Map<string, ReturnType<CliProcesses['start']>>();

function chromiumBinary(): string {
  const path = process.env['BATON_TEST_CHROMIUM_BIN'];
  if (path === undefined || path === '')
    throw new Error('no BATON_TEST_CHROMIUM_BIN: global setup did not run');
  return path;
}

async function phaseOnPage(page: Page, cell: string): Promise<string | null> {
  return page
    .locator(`tr[data-cell="${cell}"] [data-phase]`)
    .textContent({ timeout: 1_000 })
    .catch(() => null);
}

beforeAll(async () => {
  const { client, agent } = consul.get();
  browser = await chromium.launch({ executablePath: chromiumBinary() });
  await new RecordStore(client, SingletonKind, { root }).applySpec(
    SingletonSchema.parse({
      apiVersion: 'baton/v1',
      kind: 'Singleton',
      metadata: { name: 'converger', labels: { team: HOSTILE_LABEL } },
      spec: {},
    }),
  );
  holder = new Singleton({
    client,
    name: 'converger',
    identity: 'converger-a',
    root,
    work: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
  });
  void holder.start();
  for (const [id, zone] of [
    ['cell-a', 'z1'],
    ['cell-b', 'z2'],
  ] as const) {
    cells.set(
      id,
      processes.start(
        [
          'cell',
          '--root',
          root,
          '--id',
          id,
          '--address',
          '127.0.0.1:7101',
          '--zone',
          zone,
          '--capacity',
          '{"slots":4}',
          '--',
          ...LONG_RUNNING,
        ],
        { CONSUL_HTTP_ADDR: agent.httpAddr },
      ),
    );
  }
  daemon = new ControllerDaemon({ client, identity: 'page-ctl', root, http: { host: '127.0.0.1', port: 0 } });
  const address = await daemon.start();
  if (address === undefined) throw new Error('the controller serves no HTTP');
  base = `http://127.0.0.1:${address.port}`;
  await waitFor(
    async () => {
      const page = await (await fetch(`${base}/`)).text();
      return /data-phase="Present"[^]*data-phase="Present"/.test(page) && page.includes('converger-a');
    },
    { timeoutMs: 60_000, message: 'the controller never showed both cells Present and the holder' },
  );
});

afterAll(async () => {
  await browser.close();
  await processes.stopAll();
  await holder.stop();
  await daemon.stop();
});

describe('the status page in headless Chromium (real Consul, a real controller)', () => {
  it('is readable without JavaScript: server-rendered tables, record data escaped', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    expect(await page.locator('#live').textContent()).toContain('static page');
    expect(await phaseOnPage(page, 'cell-a')).toBe('Present');
    expect(await page.locator('tr[data-cell="cell-b"]').textContent()).toContain('z2');
    const singleton = page.locator('tr[data-singleton="converger"]');
    expect(await singleton.locator('td.holder').textContent()).toBe('converger-a');
    expect(await singleton.textContent()).toContain(`team=${HOSTILE_LABEL}`);
    expect(await page.locator('#singletons img, #singletons script').count()).toBe(0);
    expect(await page.locator('tr[data-lock="converger"] td.holder').textContent()).toBe('converger-a');
    await context.close();
  });

  it(
    'turns a SIGKILLed cell Lost from the event stream, without a reload',
    { timeout: 120_000 },
    async () => {
      const page = await browser.newPage();
      // Only the event stream may change the page: no periodic safety-net refresh in this test.
      await page.addInitScript({ content: 'window.setInterval = () => 0;' });
      await page.goto(`${base}/`);
      let navigations = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations += 1;
      });
      await page.evaluate('window.marker = "same document"');
      await waitFor(async () => (await page.locator('#live').getAttribute('data-state')) === 'live', {
        timeoutMs: 30_000,
        message: 'the page never connected to /events',
      });
      expect(await phaseOnPage(page, 'cell-b')).toBe('Present');

      cells.get('cell-b')?.kill('SIGKILL');
      await waitFor(async () => (await phaseOnPage(page, 'cell-b')) === 'Lost', {
        timeoutMs: 60_000,
        message: 'the page never showed cell-b Lost',
      });
      expect(await phaseOnPage(page, 'cell-a')).toBe('Present');
      expect(navigations).toBe(0);
      expect(await page.evaluate('window.marker')).toBe('same document');
      expect(await page.locator('#events tr', { hasText: 'CellLost' }).first().textContent()).toContain(
        'cell-b',
      );
      expect(await page.evaluate('window.__xss')).toBeUndefined();
      await page.close();
    },
  );
});
