import { z } from 'zod';

/**
 * One observed fact, in the shape every delivery path shares (in-process, the durable KV log, SSE): the
 * envelope every stream's events have. Each stream narrows it to a discriminated union on `type` (see
 * `SingletonEventSchema`, `PresenceEventSchema`); an event of a type a reader does not know still reads
 * as this envelope.
 */
export const BatonEventSchema = z.object({
  /** Position in its stream: strictly increasing, gap-free while retained. */
  seq: z.number().int().positive(),
  /** CamelCase event type, e.g. `CellLost`. */
  type: z.string().min(1),
  /** What the event is about: a cell id, a singleton name. */
  subject: z.string().min(1),
  /** The subject's incarnation the event refers to (a cell's registration uuid). */
  incarnation: z.string().optional(),
  /** Wall-clock time the observer made the observation (ISO 8601). */
  observedAt: z.iso.datetime(),
  /** CamelCase reason, e.g. `SessionInvalidated`. */
  reason: z.string().min(1),
  /** Detail for consumers; each event type of a typed stream gives it a shape. */
  data: z.record(z.string(), z.unknown()).optional(),
});

export type BatonEvent = z.infer<typeof BatonEventSchema>;

/** An event before the log numbered it (distributes over a union of event types). */
export type EventInput<E extends BatonEvent = BatonEvent> = E extends unknown ? Omit<E, 'seq'> : never;

/**
 * The zod schema of one event type of a stream: the envelope with a literal `type`, its `reason`s and
 * typed `data`. Streams join these in a `z.discriminatedUnion('type', …)`.
 */
export function eventTypeSchema<
  const T extends string,
  const R extends readonly [string, ...string[]],
  D extends z.ZodType,
>(type: T, reasons: R, data: D) {
  return BatonEventSchema.extend({ type: z.literal(type), reason: z.enum(reasons), data });
}

/**
 * A named stream and the one schema of its events. A reader decodes with it; an event it does not
 * recognise (a type added by a newer writer, or data the schema rejects) is not dropped: it is handed
 * over as the generic `BatonEvent` envelope, marked `recognized: false` (see `decodeEvent`).
 */
export interface EventStream<E extends BatonEvent> {
  readonly name: string;
  readonly schema: z.ZodType<E>;
}

export function defineEventStream<E extends BatonEvent>(name: string, schema: z.ZodType<E>): EventStream<E> {
  return { name, schema };
}

/** The untyped view of any stream: every well-formed envelope is recognised. */
export function untypedStream(name: string): EventStream<BatonEvent> {
  return { name, schema: BatonEventSchema };
}

/** An envelope decoded against a stream's schema: typed when recognised, the generic envelope otherwise. */
export type DecodedEvent<E extends BatonEvent> =
  | { readonly recognized: true; readonly event: E }
  | { readonly recognized: false; readonly event: BatonEvent };

/** Decode an envelope against a stream: known types come back typed, anything else as the envelope. */
export function decodeEvent<E extends BatonEvent>(
  stream: EventStream<E>,
  event: BatonEvent,
): DecodedEvent<E> {
  const typed = stream.schema.safeParse(event);
  return typed.success ? { recognized: true, event: typed.data } : { recognized: false, event };
}
