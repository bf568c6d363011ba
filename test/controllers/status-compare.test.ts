import { describe, expect, it } from 'vitest';
import { statusChanged } from '../../src/controllers/status-compare.js';

const condition = {
  type: 'Held',
  status: 'True',
  reason: 'Acquired',
  lastTransitionTime: '2024-01-01T00:00:00Z',
};

describe('statusChanged', () => {
  it.each([
    [
      'same fields in another key order',
      { phase: 'Held', holder: 'a' },
      { holder: 'a', phase: 'Held' },
      false,
    ],
    [
      'nested objects in another key order',
      { conditions: [condition], observedGeneration: 2 },
      {
        observedGeneration: 2,
        conditions: [
          {
            lastTransitionTime: condition.lastTransitionTime,
            reason: 'Acquired',
            status: 'True',
            type: 'Held',
          },
        ],
      },
      false,
    ],
    ['an undefined field and a missing one', { phase: 'Held', holder: undefined }, { phase: 'Held' }, false],
    ['null against no status', null, null, false],
    ['a changed value', { phase: 'Held' }, { phase: 'Vacant' }, true],
    ['an added field', { phase: 'Held' }, { phase: 'Held', holder: 'a' }, true],
    ['conditions in another order', { conditions: [1, 2] }, { conditions: [2, 1] }, true],
    ['an array against an object with index keys', { list: ['a'] }, { list: { 0: 'a' } }, true],
    ['a status against none', { phase: 'Held' }, null, true],
    ['a number against its string', { generation: 1 }, { generation: '1' }, true],
  ])('%s', (_name, a, b, changed) => {
    expect(statusChanged(a, b)).toBe(changed);
    expect(statusChanged(b, a)).toBe(changed);
  });
});
