import { z } from 'zod';
import type { HistoryLine } from '../history.js';

/**
 * The zod twin of `chaos/history.ts`, for reading a recorded history at the boundary. The interfaces in
 * `history.ts` stay the documentation of each field; the assertion at the bottom makes the compiler
 * fail if this schema and those interfaces drift apart.
 */

const TimeSchema = z.number();
const SeqSchema = z.number().int().nonnegative();
const StreamSchema = z.enum(['presence', 'singletons']);
const ResourceSchema = z.custom<`singleton/${string}` | `lock/${string}`>(
  (value) => typeof value === 'string' && /^(singleton|lock)\/.+$/.test(value),
  'resource must be singleton/<name> or lock/<resource>',
);

const ActLineSchema = z.strictObject({
  k: z.literal('act'),
  t: TimeSchema,
  resource: ResourceSchema,
  who: z.string().min(1),
  token: z.number().int(),
  fence: z.enum(['accepted', 'refused', 'none']),
  fenceError: z.string().exactOptional(),
});

const FaultLineSchema = z.strictObject({
  k: z.literal('fault'),
  t: TimeSchema,
  id: z.number().int(),
  kind: z.string().min(1),
  target: z.string(),
  healedAt: TimeSchema.exactOptional(),
  limit: z.literal('frozen-tree').exactOptional(),
  frozen: z.array(z.string().min(1)).readonly().exactOptional(),
});

const CellLineSchema = z.strictObject({
  k: z.literal('cell'),
  t: TimeSchema,
  cell: z.string().min(1),
  incarnation: z.string().min(1),
  what: z.enum(['registered', 'departed', 'killed', 'session-lost', 'crashed']),
});

const EventFields = {
  t: TimeSchema,
  stream: StreamSchema,
  seq: SeqSchema,
  type: z.string().min(1),
  subject: z.string(),
  incarnation: z.string().min(1).exactOptional(),
};

const RecvLineSchema = z.strictObject({ k: z.literal('recv'), sub: z.string().min(1), ...EventFields });

const LogLineSchema = z.strictObject({ k: z.literal('log'), ...EventFields });

const SubscriberLineSchema = z.strictObject({
  k: z.literal('subscriber'),
  t: TimeSchema,
  sub: z.string().min(1),
  stream: StreamSchema,
  fromSeq: SeqSchema,
  toSeq: SeqSchema,
  gaps: z
    .array(z.tuple([SeqSchema, SeqSchema]).readonly())
    .readonly()
    .exactOptional(),
});

const ListingLineSchema = z.strictObject({
  k: z.literal('listing'),
  t: TimeSchema,
  cells: z.array(z.strictObject({ cell: z.string().min(1), incarnation: z.string().min(1) })).readonly(),
});

const RecordLineSchema = z.strictObject({
  k: z.literal('record'),
  t: TimeSchema,
  cell: z.string().min(1),
  incarnation: z.string().min(1).exactOptional(),
  phase: z.string().min(1),
});

const ExpectSuccessorLineSchema = z.strictObject({
  k: z.literal('expect-successor'),
  t: TimeSchema,
  resource: ResourceSchema,
  withinMs: z.number().nonnegative(),
});

export const HistoryLineSchema = z.discriminatedUnion('k', [
  ActLineSchema,
  FaultLineSchema,
  CellLineSchema,
  RecvLineSchema,
  SubscriberLineSchema,
  LogLineSchema,
  ListingLineSchema,
  RecordLineSchema,
  ExpectSuccessorLineSchema,
]);

/** Validate one decoded JSON value as a history line. */
export function parseHistoryLine(value: unknown): z.ZodSafeParseResult<HistoryLine> {
  return HistoryLineSchema.safeParse(value);
}

// Drift guard: fails to compile unless, for every line kind, the schema's type and `HistoryLine` have the
// same keys and are assignable both ways (assignability alone would miss a forgotten optional field).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Parsed = z.infer<typeof HistoryLineSchema>;
type KindMatches = {
  [K in HistoryLine['k']]: Same<Extract<HistoryLine, { k: K }>, Extract<Parsed, { k: K }>> extends true
    ? Same<keyof Extract<HistoryLine, { k: K }>, keyof Extract<Parsed, { k: K }>>
    : false;
}[HistoryLine['k']];
type Assert<T extends true> = T;
export type SchemaMatchesHistory = Assert<KindMatches>;
