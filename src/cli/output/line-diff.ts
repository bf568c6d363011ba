/**
 * A unified-style line diff (pure): `-` for a line only in `before`, `+` only in `after`, two spaces for a
 * common line. Longest common subsequence over lines; records are small, so quadratic is fine.
 */
export function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  const common: number[][] = Array.from({ length: before.length + 1 }, () =>
    new Array<number>(after.length + 1).fill(0),
  );
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      const row = common[i] ?? [];
      row[j] =
        before[i] === after[j]
          ? (common[i + 1]?.[j + 1] ?? 0) + 1
          : Math.max(common[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      lines.push(`  ${before[i++] ?? ''}`);
      j++;
    } else if (
      i < before.length &&
      (j === after.length || (common[i + 1]?.[j] ?? 0) >= (common[i]?.[j + 1] ?? 0))
    ) {
      lines.push(`- ${before[i++] ?? ''}`); // removals before additions, as diff -u prints them
    } else {
      lines.push(`+ ${after[j++] ?? ''}`);
    }
  }
  return lines;
}
