/**
 * A kubectl-style table: upper-case headers, columns padded to their widest cell (at least `minWidths`, so
 * rows printed later by `--watch` line up with the first table), three spaces apart.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  minWidths: readonly number[] = [],
): string {
  const widths = columnWidths(headers, rows, minWidths);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

/** The width of each column: its widest cell or header, at least `minWidths`. */
export function columnWidths(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  minWidths: readonly number[] = [],
): number[] {
  return headers.map((header, column) =>
    Math.max(header.length, minWidths[column] ?? 0, ...rows.map((row) => (row[column] ?? '').length)),
  );
}

/** How long ago an ISO time was, the way kubectl prints ages: `45s`, `12m`, `3h`, `5d`. */
export function formatAge(iso: string | undefined, now: Date): string {
  if (iso === undefined) return '<none>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1_000));
  if (Number.isNaN(seconds)) return '<unknown>';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** `k=v,k2=v2`, or `<none>`. */
export function formatMap(map: Readonly<Record<string, string | number>> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}

/** A cell value, or `<none>` when absent. */
export function orNone(value: string | number | undefined): string {
  return value === undefined ? '<none>' : String(value);
}
