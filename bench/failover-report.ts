import type { PeerName } from './failover-peers.js';
import type { Scenario, TrialResult } from './failover-trial.js';

export interface Summary {
  readonly trials: number;
  /** Trials that produced a successor (and so a latency). */
  readonly measured: number;
  readonly errors: number;
  readonly minMs?: number;
  readonly medianMs?: number;
  /** Nearest rank: with 20 trials this is the slowest one. */
  readonly p99Ms?: number;
  readonly maxMs?: number;
  readonly meanMs?: number;
  /** Trials in which some command started while another of the same trial was alive. Baton: must be 0. */
  readonly trialsWithOverlap: number;
  /** Trials whose successor count was not exactly 1. */
  readonly successorViolations: number;
  /** Trials whose old holder's command was still running when the successor started. */
  readonly holderCommandSurvived: number;
}

export interface Ratios {
  readonly median?: number;
  readonly p99?: number;
  readonly max?: number;
}

export interface CaseResult {
  readonly peer: PeerName;
  readonly scenario: Scenario;
  /** How many trials of this case ran at once (each on its own lock). */
  readonly concurrency: number;
  readonly wallClockMs: number;
  readonly summary: Summary;
  /** This peer's figure divided by Baton's for the same scenario. */
  readonly ratioToBaton?: Ratios;
  /** Median ms from the signal to each traced stage (peers that trace only), in the order reached. */
  readonly stages?: readonly StageMedian[];
  readonly trials: readonly TrialResult[];
}

export interface StageMedian {
  /** `holder:<stage>` or `successor:<stage>` (src/process/handover-trace.ts), or `command-started`. */
  readonly stage: string;
  /** Median over the trials that reached it, ms from the signal. */
  readonly medianMs: number;
  /** p99 (nearest rank) over the same trials. */
  readonly p99Ms: number;
  readonly trials: number;
}

/** Median and p99 of each traced stage over the trials, ordered by median; undefined if nothing traced. */
export function stageBreakdown(trials: readonly TrialResult[]): StageMedian[] | undefined {
  const byStage = new Map<string, number[]>();
  for (const trial of trials) {
    if (trial.stagesMs === undefined || trial.latencyMs === undefined) continue;
    const stages = { ...trial.stagesMs, 'command-started': trial.latencyMs };
    for (const [stage, ms] of Object.entries(stages)) byStage.set(stage, [...(byStage.get(stage) ?? []), ms]);
  }
  if (byStage.size === 0) return undefined;
  return [...byStage]
    .map(([stage, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return { stage, medianMs: median(sorted), p99Ms: nearestRank(sorted, 0.99), trials: sorted.length };
    })
    .sort((a, b) => a.medianMs - b.medianMs);
}

/** The breakdown as lines: each stage's median from the signal and the step from the stage before it. */
export function formatBreakdown(result: CaseResult): string[] {
  if (result.stages === undefined) return [];
  let previous = 0;
  const lines = [
    `${result.peer} ${result.scenario}: median ms from the signal (step from the stage before; p99)`,
  ];
  for (const { stage, medianMs, p99Ms, trials } of result.stages) {
    const step = round(medianMs - previous);
    previous = medianMs;
    lines.push(
      `  ${stage.padEnd(28)} ${medianMs.toFixed(1).padStart(8)}  (+${step.toFixed(1)}; p99 ${p99Ms.toFixed(1)}; n=${trials})`,
    );
  }
  return lines;
}

export function summarize(trials: readonly TrialResult[]): Summary {
  const latencies = trials
    .map((trial) => trial.latencyMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  const measured = trials.filter((trial) => trial.latencyMs !== undefined);
  const stats =
    latencies.length === 0
      ? {}
      : {
          minMs: latencies[0] ?? 0,
          medianMs: median(latencies),
          p99Ms: nearestRank(latencies, 0.99),
          maxMs: latencies[latencies.length - 1] ?? 0,
          meanMs: round(latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length),
        };
  return {
    trials: trials.length,
    measured: measured.length,
    errors: trials.filter((trial) => trial.error !== undefined).length,
    ...stats,
    trialsWithOverlap: trials.filter((trial) => (trial.overlaps ?? 0) > 0).length,
    successorViolations: measured.filter((trial) => trial.successors !== 1).length,
    holderCommandSurvived: trials.filter((trial) => trial.holderCommandSurvived === true).length,
  };
}

/** Fill in each case's ratio to Baton's case of the same scenario. */
export function withRatios(cases: readonly CaseResult[]): CaseResult[] {
  return cases.map((result) => {
    const baton = cases.find((other) => other.peer === 'baton' && other.scenario === result.scenario);
    if (baton === undefined) return result;
    const ratio = (ours?: number, theirs?: number): number | undefined =>
      ours === undefined || theirs === undefined || theirs === 0 ? undefined : round(ours / theirs, 1);
    const { summary } = result;
    return {
      ...result,
      ratioToBaton: {
        ...optional('median', ratio(summary.medianMs, baton.summary.medianMs)),
        ...optional('p99', ratio(summary.p99Ms, baton.summary.p99Ms)),
        ...optional('max', ratio(summary.maxMs, baton.summary.maxMs)),
      },
    };
  });
}

const COLUMNS = [
  'peer',
  'scenario',
  'n',
  'median',
  'p99',
  'max',
  'median ×Baton',
  'p99 ×Baton',
  'overlaps',
  'successors ≠ 1',
  'errors',
  'concurrency',
] as const;

/** A Markdown table (readable in a terminal too). */
export function formatTable(cases: readonly CaseResult[]): string {
  const rows = cases.map((result) => {
    const { summary: s, ratioToBaton: r } = result;
    return [
      result.peer,
      result.scenario,
      String(s.measured),
      duration(s.medianMs),
      duration(s.p99Ms),
      duration(s.maxMs),
      times(r?.median),
      times(r?.p99),
      `${s.trialsWithOverlap}/${s.measured}`,
      String(s.successorViolations),
      String(s.errors),
      String(result.concurrency),
    ];
  });
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(2)} s`;
}

function times(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `×${ratio}`;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : round(((sorted[mid - 1] ?? upper) + upper) / 2);
}

function nearestRank(sorted: readonly number[], quantile: number): number {
  return sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)] ?? 0;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
