import { z } from 'zod';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parse a duration as operators write it in manifests and flags: `250ms`, `1.5s`, `2m`, `1h30m`.
 * Returns milliseconds, or `undefined` if the text is not a duration.
 */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(trimmed); match !== null; match = re.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  return consumed === trimmed.length && consumed > 0 && Number.isFinite(total)
    ? Math.round(total)
    : undefined;
}

/** Milliseconds as the shortest readable duration: `1.2s`, `250ms`, `2m`, `24h`. */
export function formatDurationMs(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(3))}s`;
  return `${ms}ms`;
}

/** A zod schema for a duration string, giving milliseconds. */
export const DurationSchema = z.string().transform((text, context) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: `"${text}" is not a duration (use e.g. 250ms, 1.5s, 2m)` });
    return z.NEVER;
  }
  return ms;
});
