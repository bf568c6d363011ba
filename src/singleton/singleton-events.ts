import { z } from 'zod';
import { defineEventStream, eventTypeSchema } from '../events/event.js';
import { TermEndingSchema } from './holder-record.js';

/** The event-log stream carrying singleton events (holder changes, step-down requests). */
export const SINGLETON_STREAM = 'singletons';

const HolderChangeDataSchema = z.object({
  holder: z.string().nullable(),
  previousHolder: z.string().nullable(),
  fencingToken: z.number().int().nullable(),
  previousFencingToken: z.number().int().nullable(),
  /** How the key's previous term ended, as its holder record says (absent in events before it was recorded). */
  previousTermEnded: TermEndingSchema.nullable().optional(),
});

/**
 * A new holder took the lock. `Acquired`: nothing is known of an earlier term; `HandedOver`: the previous
 * holder released the key (a clean step-down or stop); `FailedOver`: the previous holder's session was lost.
 */
export const HolderChangedEventSchema = eventTypeSchema(
  'HolderChanged',
  ['Acquired', 'HandedOver', 'FailedOver'],
  HolderChangeDataSchema,
);

/** Nobody holds the lock any more: `Released` on purpose, or `SessionLost`. */
export const HolderReleasedEventSchema = eventTypeSchema(
  'HolderReleased',
  ['Released', 'SessionLost'],
  HolderChangeDataSchema,
);

/** Terms began and ended between two observations: the history says what it did not see. */
export const TermsMissedEventSchema = eventTypeSchema(
  'TermsMissed',
  ['HistoryGap'],
  z.object({
    missedTerms: z.number().int().positive(),
    fromLockIndex: z.number().int().nullable(),
    toLockIndex: z.number().int().nullable(),
  }),
);

/** An operator asked the holder to hand over (`baton step-down`). */
export const StepDownRequestedEventSchema = eventTypeSchema(
  'StepDownRequested',
  ['OperatorRequest'],
  z.object({
    holder: z.string().nullable(),
    session: z.string(),
    /** The operator's `--reason`. */
    message: z.string().optional(),
    /** `user@host` of the operator. */
    by: z.string(),
  }),
);

/**
 * An operator destroyed a lock's session (`baton force-release-lock`), recorded before the destroy. The
 * subject is the singleton name or `exclusive/<resource>`.
 */
export const LockForceReleasedEventSchema = eventTypeSchema(
  'LockForceReleased',
  ['OperatorForced'],
  z.object({
    holder: z.string().nullable(),
    session: z.string(),
    /** The holder's fencing token when its session was destroyed. */
    fencingToken: z.number().int(),
    /** Whether the session was still alive (only with `--force`). */
    sessionAlive: z.boolean(),
    /** The operator's `--reason`. */
    message: z.string(),
    /** `user@host` of the operator. */
    by: z.string(),
  }),
);

/** Every singleton event: narrow on `type`, then `reason` and `data` are typed. */
export const SingletonEventSchema = z.discriminatedUnion('type', [
  HolderChangedEventSchema,
  HolderReleasedEventSchema,
  TermsMissedEventSchema,
  StepDownRequestedEventSchema,
  LockForceReleasedEventSchema,
]);

export type SingletonEvent = z.infer<typeof SingletonEventSchema>;

/** The singleton stream, typed: `new EventLog({ client, stream: SINGLETON_EVENTS })` reads `SingletonEvent`s. */
export const SINGLETON_EVENTS = defineEventStream<SingletonEvent>(SINGLETON_STREAM, SingletonEventSchema);
