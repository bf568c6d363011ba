/**
 * `npm run bench:soak`: one singleton holder heartbeating at a 50 ms confirmation interval for an hour on a
 * Consul dev agent, sampling the holder's heap (after a forced GC) and RSS, to show that a long term does
 * not grow memory (issue 8 item 12: a per-request AbortSignal.any leak grew a holder ~150 MB/day).
 *
 * Options: --minutes N (env BENCH_SOAK_MINUTES, default 60), --sample-seconds S (default 30), --out DIR.
 * Run with `node --expose-gc --import tsx bench/soak.ts` (the npm script does) so heap samples follow a GC.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConsulAgentProcess } from '../src/dev/agent-process.js';
import { locateConsul } from '../src/dev/consul-binary.js';
import { Singleton } from '../src/singleton/elector.js';
import { abortableSleep } from '../src/time/clock.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env['BENCH_SOAK_MINUTES'] ?? '60' },
    'sample-seconds': { type: 'string', default: '30' },
    out: { type: 'string', default: resolve(import.meta.dirname, 'results') },
  },
});
const minutes = Number(values.minutes);
const sampleMs = Number(values['sample-seconds']) * 1000;
const timing = { confirmIntervalMs: 50, checkTtlMs: 500, killGraceMs: 200, lockDelayMs: 600 };

interface Sample {
  readonly atS: number;
  readonly heapUsedMb: number;
  readonly rssMb: number;
  readonly requests: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:soak does)');

const binary = await locateConsul();
const agent = await ConsulAgentProcess.start({ binary: binary.path, nodeName: 'soak', mode: 'dev' });
try {
  await agent.waitReady();
  const client = agent.client();
  let token = 0;
  const singleton = new Singleton({
    client,
    name: 'soak',
    timing,
    work: async (leadership) => {
      token = leadership.token;
      await new Promise((done) => leadership.signal.addEventListener('abort', done, { once: true }));
    },
  });
  const running = singleton.start();
  const terms: number[] = [];
  singleton.on('term', ({ token: t }) => terms.push(t));
  const started = performance.now();
  const samples: Sample[] = [];
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100;
  while (performance.now() - started < minutes * 60_000) {
    await abortableSleep(sampleMs);
    gc();
    const memory = process.memoryUsage();
    const sample = {
      atS: Math.round((performance.now() - started) / 1000),
      heapUsedMb: mb(memory.heapUsed),
      rssMb: mb(memory.rss),
      requests: client.stats.requests,
    };
    samples.push(sample);
    console.log(
      `${sample.atS}s heap ${sample.heapUsedMb} MB rss ${sample.rssMb} MB requests ${sample.requests} ` +
        `state ${singleton.state} token ${token}`,
    );
  }
  await singleton.stop();
  await running;
  const window = Math.max(1, Math.round((5 * 60_000) / sampleMs));
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const first = samples.slice(0, window);
  const last = samples.slice(-window);
  const summary = {
    minutes,
    timing,
    requests: samples.at(-1)?.requests ?? 0,
    requestsPerSecond: Math.round((samples.at(-1)?.requests ?? 0) / (minutes * 60)),
    termsEnded: terms.length,
    heapUsedMb: {
      firstWindowMedian: median(first.map((s) => s.heapUsedMb)),
      lastWindowMedian: median(last.map((s) => s.heapUsedMb)),
    },
    rssMb: {
      firstWindowMedian: median(first.map((s) => s.rssMb)),
      lastWindowMedian: median(last.map((s) => s.rssMb)),
    },
    windowMinutes: (window * sampleMs) / 60_000,
    loadavg: loadavg(),
    node: process.version,
  };
  console.log(JSON.stringify(summary, null, 2));
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ summary, samples }, null, 2)}\n`);
  console.log(`wrote ${file}`);
} finally {
  await agent.dispose();
}
