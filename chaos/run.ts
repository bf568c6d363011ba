/**
 * The fault campaign: `node --import tsx chaos/run.ts --seed N [--faults N] [--duration 3m]
 * [--topology dev|cluster|dev,cluster]`. Needs `npm run build` first (it runs the built CLI and library).
 * Writes `bench/results/chaos-<topology>-<timestamp>.summary.json` and `.history.jsonl.gz`, prints the
 * checker's report, and exits 1 when the history has any violation.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { parseDurationMs } from '../src/time/duration.js';
import { runCampaign, type CampaignSettings } from './campaign/campaign.js';
import { HistoryFiles } from './campaign/history-files.js';
import { checkHistory } from './checker/check-history.js';
import type { CheckReport } from './checker/check-report.js';
import { formatReport } from './checker/format-report.js';

const ArgsSchema = z.object({
  seed: z.coerce.number().int().nonnegative().default(1),
  faults: z.coerce.number().int().positive().default(Number.MAX_SAFE_INTEGER),
  duration: z.string().default('3m'),
  topology: z.string().default('dev'),
  cells: z.coerce.number().int().min(1).default(6),
  concurrency: z.coerce.number().int().min(1).default(3),
  settle: z.string().default('15s'),
  out: z.string().default('bench/results'),
  keep: z.boolean().default(false),
});

export interface CampaignResult {
  readonly report: CheckReport;
  readonly summaryPath: string;
}

/** Run the campaign on each topology in turn (faults and duration split evenly), check and record each. */
export async function main(argv: readonly string[], signal: AbortSignal): Promise<CampaignResult[]> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seed: { type: 'string' },
      faults: { type: 'string' },
      duration: { type: 'string' },
      topology: { type: 'string' },
      cells: { type: 'string' },
      concurrency: { type: 'string' },
      settle: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const args = ArgsSchema.parse(values);
  const topologies = args.topology.split(',').map((name) => z.enum(['dev', 'cluster']).parse(name));
  const results: CampaignResult[] = [];
  for (const topology of topologies) {
    const settings: CampaignSettings = {
      seed: args.seed,
      topology,
      faults: Math.ceil(args.faults / topologies.length),
      durationMs: durationMs('--duration', args.duration) / topologies.length,
      cells: args.cells,
      concurrency: args.concurrency,
      settleMs: durationMs('--settle', args.settle),
      onProgress: (message) => console.error(`[chaos ${elapsed()}] ${message}`),
    };
    const loadBefore = loadavg();
    const run = await runCampaign(settings, signal);
    const lines = new HistoryFiles(run.historyDir).merge();
    const report = checkHistory(lines);
    console.log(formatReport(report));
    const stamp = new Date()
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z');
    const base = resolve(args.out, `chaos-${topology}-${stamp}`);
    mkdirSync(resolve(args.out), { recursive: true });
    writeFileSync(
      `${base}.history.jsonl.gz`,
      gzipSync(lines.map((line) => JSON.stringify(line)).join('\n') + '\n'),
    );
    const { onProgress: _progress, ...recorded } = settings;
    const summary = {
      seed: args.seed,
      settings: recorded,
      report,
      faultsInjected: Object.fromEntries(run.faults),
      durations: { injectingMs: run.injectingMs, totalMs: run.totalMs },
      machine: { cpus: cpus().length, loadBefore, loadAfter: loadavg(), maxLoad1m: run.maxLoad1m },
      historyLines: lines.length,
      history: `${base}.history.jsonl.gz`,
    };
    writeFileSync(`${base}.summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
    console.error(`[chaos] wrote ${base}.summary.json`);
    if (!args.keep) rmSync(run.historyDir, { recursive: true, force: true });
    results.push({ report, summaryPath: `${base}.summary.json` });
  }
  return results;
}

function durationMs(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new Error(`${flag} takes a duration such as 90s or 3m, got "${text}"`);
  return ms;
}

const startedAt = Date.now();
function elapsed(): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(0)}s`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.dirname, 'run.ts')) {
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    console.error('[chaos] stopping: healing and cleaning up (Ctrl-C again to quit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results = await main(process.argv.slice(2), stop.signal);
  // Exit explicitly: a Consul agent's leftover keep-alive sockets or a child's pipe must not keep a
  // finished campaign (and the npm script around it) waiting.
  process.exit(results.some((r) => r.report.violations > 0) ? 1 : 0);
}
