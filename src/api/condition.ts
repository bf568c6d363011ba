import { z } from 'zod';

/**
 * One observation about a record, Kubernetes style. `lastTransitionTime` moves only when `status` flips,
 * so an operator can read how long a condition has held.
 */
export const ConditionSchema = z.object({
  type: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'condition type is CamelCase'),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'reason is CamelCase, e.g. LockHeld'),
  message: z.string(),
  lastTransitionTime: z.iso.datetime(),
});

export type Condition = z.infer<typeof ConditionSchema>;

/** A condition as a reconciler states it; the transition time is worked out by `setCondition`. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/**
 * Return `conditions` with `next` set (pure: the input is not modified). Reason and message always take the
 * new values; `lastTransitionTime` becomes `now` only when the condition is new or its status changed.
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionUpdate,
  now: Date,
): Condition[] {
  const existing = conditions.find((condition) => condition.type === next.type);
  const lastTransitionTime =
    existing?.status === next.status ? existing.lastTransitionTime : now.toISOString();
  const updated: Condition = { ...next, lastTransitionTime };
  if (existing === undefined) return [...conditions, updated];
  return conditions.map((condition) => (condition.type === next.type ? updated : condition));
}

/** The condition of a type, if present. */
export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((condition) => condition.type === type);
}
