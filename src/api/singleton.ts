import { z } from 'zod';
import { DurationSchema, parseDurationMs } from '../time/duration.js';
import { DEFAULT_TIMING, checkTiming, type TimingProfile } from './timing-profile.js';
import { ConditionSchema } from './condition.js';
import { API_VERSION, ObjectMetaSchema } from './metadata.js';

/** A duration as an operator writes it (`1.2s`, `250ms`); kept as text so a record round-trips unchanged. */
const DurationTextSchema = z.string().superRefine((text, context) => {
  const parsed = DurationSchema.safeParse(text);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message });
  }
});

/** Timing knobs of a singleton; each one left out takes its value from `DEFAULT_TIMING`. */
export const SingletonTimingSchema = z.strictObject({
  checkTtl: DurationTextSchema.optional(),
  lockDelay: DurationTextSchema.optional(),
  confirmInterval: DurationTextSchema.optional(),
  killGrace: DurationTextSchema.optional(),
});

export type SingletonTiming = z.infer<typeof SingletonTimingSchema>;

/** The timing profile a spec asks for: its durations merged over `DEFAULT_TIMING`, in milliseconds. */
export function resolveTiming(timing: SingletonTiming | undefined): TimingProfile {
  const ms = (text: string | undefined, fallback: number): number =>
    text === undefined ? fallback : (parseDurationMs(text) ?? Number.NaN);
  return {
    checkTtlMs: ms(timing?.checkTtl, DEFAULT_TIMING.checkTtlMs),
    lockDelayMs: ms(timing?.lockDelay, DEFAULT_TIMING.lockDelayMs),
    confirmIntervalMs: ms(timing?.confirmInterval, DEFAULT_TIMING.confirmIntervalMs),
    killGraceMs: ms(timing?.killGrace, DEFAULT_TIMING.killGraceMs),
  };
}

export const SingletonSpecSchema = z
  .strictObject({
    timing: SingletonTimingSchema.optional(),
    /** No worker may run; a running one is asked to stand down. */
    paused: z.boolean().default(false),
    /** The candidate identity the current holder should hand over to when it is waiting. */
    preferredHolder: z.string().min(1).optional(),
    candidates: z.strictObject({ identities: z.array(z.string().min(1)).optional() }).optional(),
  })
  .superRefine((spec, context) => {
    const timing = resolveTiming(spec.timing);
    if (Object.values(timing).some((value) => Number.isNaN(value))) return; // already reported per field
    const check = checkTiming(timing);
    if (!check.ok) {
      context.addIssue({
        code: 'custom',
        path: ['timing'],
        message: `timing fails the safety budget: ${check.problems.join('; ')}`,
      });
    }
  });

export type SingletonSpec = z.infer<typeof SingletonSpecSchema>;

export const SingletonStatusSchema = z.object({
  /** Identity of the candidate holding the lock, absent while nobody does. */
  holder: z.string().optional(),
  /** The lock's LockIndex when the holder acquired it: strictly increases with every new holder. */
  fencingToken: z.number().int().nonnegative().optional(),
  since: z.iso.datetime().optional(),
  /**
   * The lock key's LockIndex when last observed: Consul counts every successful acquire in it, so a jump
   * of more than one between two observations means terms began and ended unobserved.
   */
  lockIndex: z.number().int().nonnegative().optional(),
  transitions: z.number().int().nonnegative().default(0),
  candidatesSeen: z.array(z.string()).default([]),
  observedGeneration: z.number().int().nonnegative().default(0),
  conditions: z.array(ConditionSchema).default([]),
});

export type SingletonStatus = z.infer<typeof SingletonStatusSchema>;

/** A singleton worker the controller keeps exactly one holder for. Status is absent until first written. */
export const SingletonSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Singleton'),
  metadata: ObjectMetaSchema,
  spec: SingletonSpecSchema,
  status: SingletonStatusSchema.optional(),
});

export type Singleton = z.infer<typeof SingletonSchema>;
