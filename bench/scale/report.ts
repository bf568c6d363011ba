/** The summary shape for one N (every figure null when its scenario failed). */
export interface SizeSummary {
  readonly n: number;
  readonly probeCellLost: { readonly medianMs: number | null; readonly p99Ms: number | null };
  readonly zoneOutage: {
    readonly killed: number | null;
    readonly gossipDetectionMs: number | null;
    readonly lastCellLostMs: number | null;
    readonly missing: number | null;
    readonly duplicate: number | null;
    readonly falseLost: number | null;
  };
  readonly rollingDeploy: {
    readonly lagP99Ms: number | null;
    readonly watcherCpuCores: number | null;
    readonly falseLost: number | null;
  };
  readonly controllerFailover: { readonly readyMs: number | null; readonly lostEvents: number | null };
  readonly watcher: {
    readonly rssMb: number | null;
    readonly cpuCoresSteady: number | null;
    readonly requestsPerSec: number | null;
  };
}

/** A scenario's outcome: its figures, or the error that ended it. */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error: unknown) {
    return { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

export const valueOf = <T>(outcome: Outcome<T> | undefined): T | undefined =>
  outcome?.ok === true ? outcome.value : undefined;

/** One row per figure, one column per N. */
export function formatTable(summaries: readonly SizeSummary[]): string {
  const rows: [string, (s: SizeSummary) => number | null][] = [
    ['probe CellLost median ms', (s) => s.probeCellLost.medianMs],
    ['probe CellLost p99 ms', (s) => s.probeCellLost.p99Ms],
    ['zone: killed cells', (s) => s.zoneOutage.killed],
    ['zone: gossip detection ms', (s) => s.zoneOutage.gossipDetectionMs],
    ['zone: last CellLost ms', (s) => s.zoneOutage.lastCellLostMs],
    ['zone: missing', (s) => s.zoneOutage.missing],
    ['zone: duplicate', (s) => s.zoneOutage.duplicate],
    ['zone: false CellLost', (s) => s.zoneOutage.falseLost],
    ['deploy: lag p99 ms', (s) => s.rollingDeploy.lagP99Ms],
    ['deploy: watcher cores', (s) => s.rollingDeploy.watcherCpuCores],
    ['deploy: false CellLost', (s) => s.rollingDeploy.falseLost],
    ['failover: ready ms', (s) => s.controllerFailover.readyMs],
    ['failover: lost events', (s) => s.controllerFailover.lostEvents],
    ['watcher RSS MB', (s) => s.watcher.rssMb],
    ['watcher cores (steady)', (s) => s.watcher.cpuCoresSteady],
    ['Baton requests/s (steady)', (s) => s.watcher.requestsPerSec],
  ];
  const header = ['figure', ...summaries.map((s) => `N=${s.n}`)];
  const body = rows.map(([label, get]) => [label, ...summaries.map((s) => String(get(s) ?? '—'))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => (row[i] ?? '').length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
