import type { Cell } from '../../api/cell.js';
import type { Condition } from '../../api/condition.js';
import { resolveTiming, type Singleton } from '../../api/singleton.js';
import type { RecordEntry } from '../../store/record-entry.js';
import { formatDurationMs } from '../../time/duration.js';
import { formatAge, formatMap, orNone, renderTable } from './table.js';

type Field = readonly [label: string, value: string];

/** `baton describe`: everything about one record, in aligned `Label: value` blocks like kubectl. */
export function describeRecord(kind: string, entry: RecordEntry, now: Date): string {
  if (entry.record === undefined) {
    return fields([
      ['Name', entry.name],
      ['Kind', kind],
      ['Invalid', `${entry.error.path}: ${entry.error.message}`],
      ['Resource Version', String(entry.specIndex)],
      ['Generation', String(entry.generation)],
    ]);
  }
  const record = entry.record;
  const head = fields([
    ['Name', record.metadata.name],
    ['Kind', record.kind],
    ['Labels', formatMap(record.metadata.labels)],
    ['Annotations', formatMap(record.metadata.annotations)],
    ['Generation', String(record.metadata.generation)],
    ['Resource Version', record.metadata.resourceVersion],
  ]);
  const body = record.kind === 'Singleton' ? describeSingleton(record, now) : describeCell(record, now);
  return `${head}${body}Conditions:\n${conditions(record.status?.conditions ?? [], now)}`;
}

function describeSingleton(record: Singleton, now: Date): string {
  const timing = resolveTiming(record.spec.timing);
  const given = record.spec.timing ?? {};
  const knob = (name: keyof typeof given, ms: number): string =>
    `${name}=${formatDurationMs(ms)}${given[name] === undefined ? ' (default)' : ''}`;
  const status = record.status;
  return (
    'Spec:\n' +
    fields(
      [
        ['Paused', String(record.spec.paused)],
        ['Preferred Holder', record.spec.preferredHolder ?? '<none>'],
        ['Candidates', (record.spec.candidates?.identities ?? ['<any>']).join(', ')],
        [
          'Timing',
          [
            knob('checkTtl', timing.checkTtlMs),
            knob('lockDelay', timing.lockDelayMs),
            knob('confirmInterval', timing.confirmIntervalMs),
            knob('killGrace', timing.killGraceMs),
          ].join(' '),
        ],
      ],
      '  ',
    ) +
    'Status:\n' +
    (status === undefined
      ? '  <not yet written by the controller>\n'
      : fields(
          [
            ['Holder', status.holder ?? '<none>'],
            ['Fencing Token', status.fencingToken === undefined ? '<none>' : String(status.fencingToken)],
            [
              'Since',
              status.since === undefined ? '<none>' : `${status.since} (${formatAge(status.since, now)} ago)`,
            ],
            ['Transitions', String(status.transitions)],
            [
              'Candidates Seen',
              status.candidatesSeen.length === 0 ? '<none>' : status.candidatesSeen.join(', '),
            ],
            ['Observed Generation', String(status.observedGeneration)],
          ],
          '  ',
        ))
  );
}

function describeCell(record: Cell, now: Date): string {
  const status = record.status;
  return (
    'Spec:\n' +
    fields(
      [
        ['ID', record.spec.id],
        ['Address', record.spec.address],
        ['Zone', record.spec.zone ?? '<none>'],
        ['Capacity', formatMap(record.spec.capacity)],
        ['Labels', formatMap(record.spec.labels)],
      ],
      '  ',
    ) +
    'Status:\n' +
    (status === undefined
      ? '  <not yet written by the controller>\n'
      : fields(
          [
            ['Phase', status.phase],
            ['Incarnation', orNone(status.incarnation)],
            [
              'Last Seen',
              status.lastSeen === undefined
                ? '<none>'
                : `${status.lastSeen} (${formatAge(status.lastSeen, now)} ago)`,
            ],
          ],
          '  ',
        ))
  );
}

function conditions(list: readonly Condition[], now: Date): string {
  if (list.length === 0) return '  <none>\n';
  const table = renderTable(
    ['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'],
    list.map((c) => [c.type, c.status, c.reason, formatAge(c.lastTransitionTime, now), c.message]),
  );
  return table
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

function fields(list: readonly Field[], indent = ''): string {
  const width = Math.max(...list.map(([label]) => label.length)) + 2;
  return list.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}${value}\n`).join('');
}
