import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CELL_DEFAULTS, parseDurationMs } from '../../src/index.js';

export interface ScaleOptions {
  readonly sizes: readonly number[];
  readonly hosts: number;
  readonly probeFraction: number;
  readonly bulkHeartbeatMs: number;
  readonly bulkTtlMs: number;
  readonly probeHeartbeatMs: number;
  readonly probeTtlMs: number;
  readonly steadyMs: number;
  /** Cells per second over the whole fleet during the rolling deploy. */
  readonly deployRate: number;
  readonly outDir: string;
  readonly keepLogs: boolean;
  /** `relaxed`: the controllers get a 2 s confirmation budget (`CONTROLLER_TIMING`); `default`: Baton's own. */
  readonly controllerTiming: 'relaxed' | 'default';
}

/** Each flag also reads from BENCH_SCALE_<NAME> (e.g. BENCH_SCALE_SIZES=1000). */
const FLAGS = {
  sizes: '1000,10000',
  hosts: '10',
  'probe-fraction': '0.01',
  'bulk-heartbeat': '30s',
  'bulk-ttl': '90s',
  steady: '60s',
  'deploy-rate': '16.7',
  'controller-timing': 'relaxed',
  out: 'bench/results',
} as const;

export function readOptions(argv: readonly string[] = process.argv.slice(2)): ScaleOptions {
  const spec: Record<string, { type: 'string' | 'boolean' }> = { 'keep-logs': { type: 'boolean' } };
  for (const name of Object.keys(FLAGS)) spec[name] = { type: 'string' };
  const { values } = parseArgs({ args: [...argv], options: spec });
  const get = (name: keyof typeof FLAGS): string => {
    const flag = values[name];
    if (typeof flag === 'string') return flag;
    return process.env[`BENCH_SCALE_${name.toUpperCase().replaceAll('-', '_')}`] ?? FLAGS[name];
  };
  const options: ScaleOptions = {
    sizes: get('sizes')
      .split(',')
      .map((size) => positive('sizes', Number(size))),
    hosts: positive('hosts', Number(get('hosts'))),
    probeFraction: positive('probe-fraction', Number(get('probe-fraction'))),
    bulkHeartbeatMs: duration('bulk-heartbeat', get('bulk-heartbeat')),
    bulkTtlMs: duration('bulk-ttl', get('bulk-ttl')),
    probeHeartbeatMs: CELL_DEFAULTS.heartbeatIntervalMs,
    probeTtlMs: CELL_DEFAULTS.checkTtlMs,
    steadyMs: duration('steady', get('steady')),
    deployRate: positive('deploy-rate', Number(get('deploy-rate'))),
    outDir: resolve(get('out')),
    keepLogs: values['keep-logs'] === true,
    controllerTiming: timing(get('controller-timing')),
  };
  if (options.probeFraction >= 1) throw new Error('--probe-fraction must be below 1');
  if (options.bulkHeartbeatMs * 2 > options.bulkTtlMs)
    throw new Error(
      '--bulk-heartbeat must be at most half of --bulk-ttl (one lost beat must not kill a cell)',
    );
  return options;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function duration(name: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0)
    throw new Error(`--${name} must be a duration such as 20s or 500ms, got ${text}`);
  return ms;
}

function timing(text: string): 'relaxed' | 'default' {
  if (text === 'relaxed' || text === 'default') return text;
  throw new Error(`--controller-timing must be relaxed or default, got ${text}`);
}
