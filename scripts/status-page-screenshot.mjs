#!/usr/bin/env node
// Produce docs/status-page.png, the README's picture of the status page, from a demo-like scene on a
// Consul dev agent of its own: two singletons (one held, one paused), five cells (one lost, one departed),
// an exclusive operation running, a controller serving the page; headless Chromium takes the picture.
// Needs `npm run build` first (it drives dist/) and a Chromium (`npm run browser:install`).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { SingletonSchema } from '../dist/api/singleton.js';
import { SingletonKind } from '../dist/api/kinds.js';
import { ControllerDaemon } from '../dist/controllers/controller-daemon.js';
import { ConsulAgentProcess } from '../dist/dev/agent-process.js';
import { locateChromium } from '../dist/dev/chromium-binary.js';
import { locateConsul } from '../dist/dev/consul-binary.js';
import { Cell } from '../dist/presence/cell.js';
import { Singleton } from '../dist/singleton/elector.js';
import { tryLock } from '../dist/singleton/try-lock.js';
import { RecordStore } from '../dist/store/record-store.js';

const output = fileURLToPath(new URL('../docs/status-page.png', import.meta.url));
const log = (line) => console.error(`status-page-screenshot: ${line}`);

async function until(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const consul = await locateConsul({ log });
const agent = await ConsulAgentProcess.start({
  binary: consul.path,
  nodeName: `screenshot-${randomUUID().slice(0, 8)}`,
  mode: 'dev',
});
const stops = [];
try {
  await agent.waitReady();
  const client = agent.client();
  const records = new RecordStore(client, SingletonKind);
  const singleton = (name, labels, spec = {}) =>
    records.applySpec(
      SingletonSchema.parse({ apiVersion: 'baton/v1', kind: 'Singleton', metadata: { name, labels }, spec }),
    );
  await singleton('converger', { team: 'scheduling', tier: 'critical' });
  await singleton('billing-export', { team: 'billing' }, { paused: true });
  for (const identity of ['converger-1', 'converger-2', 'converger-3']) {
    const candidate = new Singleton({
      client,
      name: 'converger',
      identity,
      work: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
    });
    void candidate.start();
    stops.push(() => candidate.stop());
    // converger-1 campaigns first, so it is the worker.
    await until(() => candidate.state !== 'starting', `${identity} to campaign`);
  }
  const cells = [];
  for (const [index, zone] of [
    'eu-west-1a',
    'eu-west-1b',
    'eu-west-1c',
    'eu-west-1a',
    'eu-west-1b',
  ].entries()) {
    const cell = new Cell({
      client,
      spec: {
        id: `cell-${index + 1}`,
        address: `10.0.${index + 1}.7:7777`,
        zone,
        capacity: { cpu: 16, memoryGiB: 64 - index * 8 },
        labels: { pool: index < 3 ? 'general' : 'gpu' },
      },
    });
    await cell.start();
    cells.push(cell);
    stops.push(() => cell.stop());
  }
  const releaseRefresh = new AbortController();
  const refresh = tryLock(
    'cluster-refresh.prod',
    ({ signal }) =>
      new Promise((resolve) => {
        releaseRefresh.signal.addEventListener('abort', resolve);
        signal.addEventListener('abort', resolve);
      }),
    { client, identity: 'refresher-a' },
  );
  stops.push(async () => {
    releaseRefresh.abort();
    await refresh;
  });
  const daemon = new ControllerDaemon({
    client,
    identity: 'controller-1',
    http: { host: '127.0.0.1', port: 0 },
  });
  const address = await daemon.start();
  stops.push(() => daemon.stop());
  const base = `http://127.0.0.1:${address.port}`;
  const status = async () => (await fetch(`${base}/status`)).json();
  await until(
    async () => (await status()).cells.filter((c) => c.phase === 'Present').length === 5,
    'five cells Present',
  );
  await cells[1].abandon(); // a hard death: CellLost
  await cells[4].stop(); // a clean shutdown: CellDeparted
  await until(async () => {
    const phases = (await status()).cells.map((c) => c.phase).join(',');
    return phases === 'Present,Lost,Present,Present,Departed';
  }, 'cell-2 Lost and cell-5 Departed');

  const browser = await chromium.launch({ executablePath: await locateChromium({ log }) });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(`${base}/`);
    await until(
      async () => (await page.locator('#live').getAttribute('data-state')) === 'live',
      'the page to go live',
    );
    await page.screenshot({ path: output, fullPage: true });
    log(`wrote ${output}`);
  } finally {
    await browser.close();
  }
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await agent.dispose();
}
