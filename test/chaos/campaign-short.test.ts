import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../chaos/run.js';
import { builtCli } from '../support/cli.js';

/**
 * The short seeded fault campaign (what `npm run chaos:short` runs) on a dev agent: real `baton` processes,
 * real faults, then the checker. A safety assertion, not a timing one: zero violations of any property.
 */
describe('fault campaign (short, seeded, dev topology)', () => {
  it('records a history with faults and finds no violation', async () => {
    await builtCli();
    const out = mkdtempSync(join(tmpdir(), 'baton-chaos-test-'));
    const [result] = await main(
      ['--seed', '42', '--duration', '100s', '--topology', 'dev', '--out', out],
      new AbortController().signal,
    );
    if (result === undefined) throw new Error('the campaign returned no result');
    const summary = JSON.parse(readFileSync(result.summaryPath, 'utf8')) as { historyLines: number };
    expect(result.report.totalFaults).toBeGreaterThan(0);
    expect(summary.historyLines).toBeGreaterThan(0);
    expect(result.report.violations, JSON.stringify(result.report.properties, null, 2)).toBe(0);
  }, 600_000);
});
