import { describe, expect, it } from 'vitest';
import { setCondition, type Condition, type ConditionUpdate } from '../../src/api/condition.js';

const t0 = new Date('2025-01-01T00:00:00.000Z');
const t1 = new Date('2025-01-01T00:05:00.000Z');

const held: Condition = {
  type: 'Held',
  status: 'True',
  reason: 'LockHeld',
  message: 'held by a',
  lastTransitionTime: t0.toISOString(),
};

describe('setCondition', () => {
  it.each<{ name: string; before: Condition[]; next: ConditionUpdate; expected: Condition[] }>([
    {
      name: 'adds a new condition with now as the transition time',
      before: [],
      next: { type: 'Held', status: 'True', reason: 'LockHeld', message: 'held by a' },
      expected: [{ ...held, lastTransitionTime: t1.toISOString() }],
    },
    {
      name: 'keeps the transition time when the status stays, but takes the new reason and message',
      before: [held],
      next: { type: 'Held', status: 'True', reason: 'HolderChanged', message: 'held by b' },
      expected: [{ ...held, reason: 'HolderChanged', message: 'held by b' }],
    },
    {
      name: 'moves the transition time when the status flips',
      before: [held],
      next: { type: 'Held', status: 'False', reason: 'NoHolder', message: 'nobody holds it' },
      expected: [
        {
          type: 'Held',
          status: 'False',
          reason: 'NoHolder',
          message: 'nobody holds it',
          lastTransitionTime: t1.toISOString(),
        },
      ],
    },
    {
      name: 'leaves other conditions alone and keeps their order',
      before: [held, { ...held, type: 'Available' }],
      next: { type: 'Available', status: 'Unknown', reason: 'Unknown', message: '' },
      expected: [
        held,
        {
          ...held,
          type: 'Available',
          status: 'Unknown',
          reason: 'Unknown',
          message: '',
          lastTransitionTime: t1.toISOString(),
        },
      ],
    },
  ])('$name', ({ before, next, expected }) => {
    const snapshot = structuredClone(before);
    expect(setCondition(before, next, t1)).toEqual(expected);
    expect(before).toEqual(snapshot);
  });
});
