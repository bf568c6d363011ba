import { describe, expect, it } from 'vitest';
import { formatIssuePath } from '../../src/api/issue-path.js';
import { CellSchema } from '../../src/api/cell.js';
import { SingletonSchema, resolveTiming } from '../../src/api/singleton.js';
import { DEFAULT_TIMING } from '../../src/api/timing-profile.js';

function singleton(spec: unknown, name = 'converger'): unknown {
  return { apiVersion: 'baton/v1', kind: 'Singleton', metadata: { name }, spec };
}

function firstIssue(input: unknown): { path: string; message: string } | undefined {
  const result = SingletonSchema.safeParse(input);
  if (result.success) return undefined;
  const [issue] = result.error.issues;
  return { path: formatIssuePath(issue?.path ?? []), message: issue?.message ?? '' };
}

describe('Singleton records', () => {
  it('fills defaults: not paused, generation 0, no labels', () => {
    const parsed = SingletonSchema.parse(singleton({}));
    expect(parsed.spec.paused).toBe(false);
    expect(parsed.metadata).toEqual({
      name: 'converger',
      generation: 0,
      resourceVersion: '',
      labels: {},
      annotations: {},
    });
    expect(parsed.status).toBeUndefined();
  });

  it.each<{ name: string; timing: Record<string, string>; expectedMs: Partial<typeof DEFAULT_TIMING> }>([
    { name: 'nothing set: the defaults', timing: {}, expectedMs: {} },
    { name: 'a longer lock-delay', timing: { lockDelay: '5s' }, expectedMs: { lockDelayMs: 5_000 } },
    {
      name: 'compound durations',
      timing: { checkTtl: '1m30s', lockDelay: '2s' },
      expectedMs: { checkTtlMs: 90_000, lockDelayMs: 2_000 },
    },
    {
      name: 'milliseconds',
      timing: { confirmInterval: '100ms', killGrace: '250ms' },
      expectedMs: { confirmIntervalMs: 100, killGraceMs: 250 },
    },
  ])('accepts a safe timing profile: $name', ({ timing, expectedMs }) => {
    const parsed = SingletonSchema.parse(singleton({ timing }));
    expect(resolveTiming(parsed.spec.timing)).toEqual({ ...DEFAULT_TIMING, ...expectedMs });
  });

  it.each<{ name: string; spec: unknown; path: string; message: RegExp }>([
    {
      name: 'a duration without a unit',
      spec: { timing: { lockDelay: '5' } },
      path: 'spec.timing.lockDelay',
      message: /not a duration/,
    },
    {
      name: 'lock-delay too short for the stop deadline',
      spec: { timing: { lockDelay: '500ms' } },
      path: 'spec.timing',
      message: /timing fails the safety budget: .*raise lockDelay above 1000ms/,
    },
    {
      name: 'check TTL below twice the confirm interval',
      spec: { timing: { checkTtl: '300ms' } },
      path: 'spec.timing',
      message: /checkTtl 300ms must be at least twice/,
    },
    {
      name: 'lock-delay above the Consul cap',
      spec: { timing: { lockDelay: '2m' } },
      path: 'spec.timing',
      message: /above Consul's 60s cap/,
    },
    { name: 'a misspelt field', spec: { pasued: true }, path: 'spec', message: /pasued/ },
    { name: 'paused given as text', spec: { paused: 'yes' }, path: 'spec.paused', message: /boolean/ },
    {
      name: 'an empty candidate identity',
      spec: { candidates: { identities: ['a', ''] } },
      path: 'spec.candidates.identities[1]',
      message: /at least 1 character|>=1/,
    },
  ])('rejects $name', ({ spec, path, message }) => {
    const issue = firstIssue(singleton(spec));
    expect(issue?.path).toBe(path);
    expect(issue?.message).toMatch(message);
  });

  it.each(['Converger', 'a_b', '-x', 'x-', '', 'a'.repeat(64)])('rejects the name %j', (name) => {
    expect(firstIssue(singleton({}, name))?.path).toBe('metadata.name');
  });
});

describe('Cell records', () => {
  const cell = (spec: unknown): unknown => ({
    apiVersion: 'baton/v1',
    kind: 'Cell',
    metadata: { name: 'cell-1' },
    spec,
  });

  it.each(['10.0.0.7:7777', 'cell-1.internal:1', '[::1]:8080'])('accepts the address %s', (address) => {
    expect(CellSchema.safeParse(cell({ id: 'cell-1', address })).success).toBe(true);
  });

  it.each(['10.0.0.7', '10.0.0.7:0', 'host:70000', 'a b:80', ':80'])('rejects the address %j', (address) => {
    const result = CellSchema.safeParse(cell({ id: 'cell-1', address }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['spec', 'address']);
  });

  it('rejects a phase it does not know', () => {
    const result = CellSchema.safeParse({
      ...(cell({ id: 'c', address: 'h:1' }) as object),
      status: { phase: 'Gone' },
    });
    expect(result.error?.issues[0]?.path).toEqual(['status', 'phase']);
  });
});
