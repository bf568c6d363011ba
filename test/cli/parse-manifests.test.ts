import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseManifests } from '../../src/cli/manifests/parse-manifests.js';

function problems(text: string): string[] {
  return parseManifests([{ file: 'm.yaml', text }]).problems.map(formatProblem);
}

const good = `apiVersion: baton/v1
kind: Singleton
metadata:
  name: converger
spec:
  paused: true
`;

describe('parseManifests', () => {
  it('parses every document of a multi-document file, skipping empty ones', () => {
    const text = `${good}---\n${good.replace('converger', 'auctioneer')}---\n`;
    const { records, problems: found } = parseManifests([{ file: 'm.yaml', text }]);
    expect(found).toEqual([]);
    expect(records.map((r) => [r.record.metadata.name, r.line])).toEqual([
      ['converger', 1],
      ['auctioneer', 8],
    ]);
  });

  it.each<{ name: string; text: string; expected: (string | RegExp)[] }>([
    {
      name: 'a bad duration, at the value',
      text: good.replace('  paused: true', '  timing:\n    lockDelay: 5 seconds'),
      expected: [
        'm.yaml:7:16: spec.timing.lockDelay: "5 seconds" is not a duration (use e.g. 250ms, 1.5s, 2m)',
      ],
    },
    {
      name: 'an unsafe timing profile, at the timing block',
      text: good.replace('  paused: true', '  timing:\n    lockDelay: 300ms'),
      expected: [/^m\.yaml:7:5: spec\.timing: timing fails the safety budget: .*raise lockDelay/],
    },
    {
      name: 'a misspelt field, at the key',
      text: good.replace('  paused: true', '  paused: true\n  pasued: false'),
      expected: [/^m\.yaml:7:3: spec: .*pasued/],
    },
    {
      name: 'a missing field, at the nearest parent',
      text: 'apiVersion: baton/v1\nkind: Cell\nmetadata:\n  name: cell-1\nspec:\n  id: cell-1\n',
      expected: [/^m\.yaml:6:3: spec\.address: /],
    },
    {
      name: 'an unknown kind',
      text: good.replace('kind: Singleton', 'kind: Singelton'),
      expected: ['m.yaml:2:7: kind: unknown kind "Singelton": expected Singleton, Cell or a List of them'],
    },
    {
      name: 'a wrong apiVersion and a bad name together',
      text: good.replace('baton/v1', 'baton/v2').replace('converger', 'Converger'),
      expected: [/^m\.yaml:1:13: apiVersion: /, /^m\.yaml:4:9: metadata\.name: name must be a DNS label/],
    },
    {
      name: 'broken YAML',
      text: 'apiVersion: baton/v1\nkind: [Singleton\n',
      expected: [/^m\.yaml:\d+:\d+: \(yaml\): /],
    },
    {
      name: 'a document that is not a mapping',
      text: '- just\n- a list\n',
      expected: ['m.yaml:1:1: (root): a document needs a kind (Singleton, Cell or a List of them)'],
    },
    {
      name: 'the same record twice',
      text: `${good}---\n${good}`,
      expected: ['m.yaml:11:9: metadata.name: singleton "converger" is also defined at m.yaml:1'],
    },
  ])('reports $name as file:line:col', ({ text, expected }) => {
    const found = problems(text);
    expect(found).toHaveLength(expected.length);
    expected.forEach((want, i) => {
      if (typeof want === 'string') expect(found[i]).toBe(want);
      else expect(found[i]).toMatch(want);
    });
  });

  it('accepts every shipped manifest', () => {
    const dir = new URL('../../manifests/', import.meta.url);
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => ({ file: name, text: readFileSync(new URL(name, dir), 'utf8') }));
    const { records, problems: found } = parseManifests(files);
    expect(found.map(formatProblem)).toEqual([]);
    expect(records.filter((r) => r.record.kind === 'Singleton').map((r) => r.record.metadata.name)).toEqual(
      expect.arrayContaining([
        'nsync-bulker',
        'tps-watcher',
        'converger',
        'auctioneer',
        'route-emitter',
        'cluster-discovery',
      ]),
    );
  });
});
