import { z } from 'zod';

/**
 * One observed fact, in the shape every delivery path shares (in-process, the durable KV log, SSE).
 * Generic on purpose: presence uses `subject` = cell id; singleton events can use the singleton name.
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
  /** Free-form detail for consumers (e.g. the cell's registration). */
  data: z.record(z.string(), z.unknown()).optional(),
});

export type BatonEvent = z.infer<typeof BatonEventSchema>;

/** An event before the log numbered it. */
export type EventInput = Omit<BatonEvent, 'seq'>;
