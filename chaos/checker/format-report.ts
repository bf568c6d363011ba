import { PROPERTIES, PROPERTY_NAMES, type CheckReport, type StaleActCounts } from './check-report.js';

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function staleSummary(name: string, counts: StaleActCounts): string {
  return (
    `${name}: ${counts.acts} acts, ${counts.stale} stale (${counts.fenceRefused} refused by fencing, ` +
    `${counts.notRefused} not refused), ${counts.exempt} exempt as the frozen-tree limit`
  );
}

/**
 * The report as Markdown for the README: faults injected by kind, then violations by property with how
 * many instances were checked, then the stale-act split and the informational counts.
 */
export function formatReport(report: CheckReport): string {
  const faults = table(
    ['fault', 'injected'],
    [...Object.entries(report.faults), ['**total**', report.totalFaults]],
  );
  const properties = table(
    ['property', 'what it catches', 'checked', 'violations'],
    PROPERTY_NAMES.map((name) => [
      `\`${name}\``,
      PROPERTIES[name],
      report.properties[name].checked,
      report.properties[name].violations,
    ]),
  );
  const { info } = report;
  return [
    '### Faults injected',
    '',
    faults,
    '',
    '### Violations by property',
    '',
    properties,
    '',
    `- ${staleSummary('Singletons', report.staleActs.singleton)}`,
    `- ${staleSummary('Locks', report.staleActs.lock)}`,
    `- Duplicate deliveries (at-least-once, allowed): ${info.duplicateDeliveries}; receipts of seqs no longer ` +
      `in the log: ${info.recvsWithoutLogLine}; presence events for unknown incarnations: ` +
      `${info.eventsForUnknownIncarnations}; records of unknown cells: ${info.recordsForUnknownCells}`,
    '',
    `**Total violations: ${report.violations}**`,
    '',
  ].join('\n');
}

/** The kept examples of every violated property, one JSON line per offending history line. */
export function formatExamples(report: CheckReport): string {
  const out: string[] = [];
  for (const name of PROPERTY_NAMES) {
    const { violations, examples } = report.properties[name];
    if (violations === 0) continue;
    out.push(`### ${name}: ${violations} violation(s), first ${examples.length}`);
    for (const [i, lines] of examples.entries()) {
      out.push(`${i + 1}.`, ...lines.map((line) => `    ${JSON.stringify(line)}`));
    }
    out.push('');
  }
  return out.join('\n');
}
