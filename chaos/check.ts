/**
 * Judge a recorded fault-campaign history:
 *
 *   node --import tsx chaos/check.ts [--grace-ms N] [--json] <history.jsonl | history.jsonl.gz>
 *
 * Prints the report as Markdown (or as JSON with `--json`), then the first examples of each violation.
 * Exit 0: no violation. Exit 1: violations. Exit 2: bad usage, an unreadable file, or a malformed line
 * (reported as `file:line: problem`).
 */
import { parseArgs } from 'node:util';
import { describeError } from '../src/errors.js';
import { checkHistory, formatExamples, formatReport, readHistory } from './checker/index.js';

const USAGE = 'usage: node --import tsx chaos/check.ts [--grace-ms N] [--json] <history.jsonl[.gz]>\n';

function usageError(message: string): number {
  process.stderr.write(`check: ${message}\n${USAGE}`);
  return 2;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { 'grace-ms': { type: 'string' }, json: { type: 'boolean', default: false } },
    });
  } catch (error: unknown) {
    return usageError(describeError(error));
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) return usageError('expected exactly one history file');
  const graceText = parsed.values['grace-ms'];
  const graceMs = graceText === undefined ? undefined : Number(graceText);
  if (graceMs !== undefined && !(Number.isFinite(graceMs) && graceMs >= 0)) {
    return usageError(`--grace-ms must be a non-negative number of milliseconds, got "${graceText ?? ''}"`);
  }
  let lines;
  try {
    lines = await readHistory(file);
  } catch (error: unknown) {
    // Exit 1 must only ever mean "violations": a history that cannot be read is exit 2 as well.
    process.stderr.write(`check: ${describeError(error)}\n`);
    return 2;
  }
  const report = checkHistory(lines, graceMs === undefined ? {} : { graceMs });
  process.stdout.write(
    parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
  );
  if (report.violations > 0) process.stderr.write(formatExamples(report));
  return report.violations > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
