import { describe, expect, it } from 'vitest';
import type { Singleton } from '../../src/api/singleton.js';
import { CasConflictError } from '../../src/consul/errors.js';
import { planSpecWrite } from '../../src/store/plan-write.js';
import type { RecordEntry } from '../../src/store/record-entry.js';

const KEY = 'baton/v1/singletons/converger/spec';

function record(spec: Partial<Singleton['spec']> = {}, meta: Partial<Singleton['metadata']> = {}): Singleton {
  return {
    apiVersion: 'baton/v1',
    kind: 'Singleton',
    metadata: { name: 'converger', generation: 0, resourceVersion: '', labels: {}, annotations: {}, ...meta },
    spec: { paused: false, ...spec },
  };
}

function stored(
  generation: number,
  spec: Partial<Singleton['spec']> = {},
  labels = {},
): RecordEntry<Singleton> {
  return {
    name: 'converger',
    specIndex: 40,
    statusIndex: 41,
    record: record(spec, { generation, resourceVersion: '40', labels }),
  };
}

describe('planSpecWrite', () => {
  it.each<{
    name: string;
    desired: Singleton;
    current: RecordEntry | undefined;
    action: string;
    generation: number;
    verb: string;
    index: number;
  }>([
    {
      name: 'absent: create at generation 1',
      desired: record(),
      current: undefined,
      action: 'created',
      generation: 1,
      verb: 'cas',
      index: 0,
    },
    {
      name: 'same spec: a guard, no write',
      desired: record(),
      current: stored(3),
      action: 'unchanged',
      generation: 3,
      verb: 'check-index',
      index: 40,
    },
    {
      name: 'spec changed: generation + 1',
      desired: record({ paused: true }),
      current: stored(3),
      action: 'configured',
      generation: 4,
      verb: 'cas',
      index: 40,
    },
    {
      name: 'labels only: written, same generation',
      desired: record({}, { labels: { team: 'x' } }),
      current: stored(3),
      action: 'configured',
      generation: 3,
      verb: 'cas',
      index: 40,
    },
    {
      name: 'stored record invalid: repaired as a spec change',
      desired: record(),
      current: {
        name: 'converger',
        specIndex: 40,
        statusIndex: 0,
        generation: 6,
        error: { path: 'spec', message: 'x' },
      },
      action: 'configured',
      generation: 7,
      verb: 'cas',
      index: 40,
    },
    {
      name: 'a matching resourceVersion is accepted',
      desired: record({ paused: true }, { resourceVersion: '40' }),
      current: stored(1),
      action: 'configured',
      generation: 2,
      verb: 'cas',
      index: 40,
    },
  ])('$name', ({ desired, current, action, generation, verb, index }) => {
    const plan = planSpecWrite(KEY, desired, current);
    expect(plan).toMatchObject({ action, generation, op: { verb, key: KEY, index } });
    if (plan.op.verb === 'cas') {
      const written = JSON.parse(String(plan.op.value)) as { metadata: Record<string, unknown> };
      expect(written.metadata['generation']).toBe(generation);
      expect(written.metadata).not.toHaveProperty('resourceVersion');
    }
  });

  it('treats a field set to undefined as the stored document without it (no endless rewrite)', () => {
    const desired = record({ preferredHolder: undefined });
    const plan = planSpecWrite(KEY, desired, stored(3));
    expect(plan.action).toBe('unchanged');
    expect(plan.op.verb).toBe('check-index');
  });

  it('refuses a stale resourceVersion before anything is written', () => {
    expect(() => planSpecWrite(KEY, record({}, { resourceVersion: '39' }), stored(1))).toThrow(
      CasConflictError,
    );
    expect(() => planSpecWrite(KEY, record({}, { resourceVersion: '39' }), undefined)).toThrow(
      CasConflictError,
    );
  });
});
