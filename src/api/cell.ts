import { z } from 'zod';
import { ConditionSchema } from './condition.js';
import { API_VERSION, NameSchema, ObjectMetaSchema } from './metadata.js';

/** `host:port` or `[v6]:port`, port 1–65535. */
export const CellAddressSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(\d{1,5})$/, 'address must be host:port, e.g. 10.0.0.7:7777')
  .refine((text) => {
    const port = Number(text.slice(text.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'address port must be from 1 to 65535');

/** A cell id names its presence key and its `Cell` record, so it is a record name (a DNS label). */
export const CellIdSchema = NameSchema;

/** What a cell says about itself: the fields a scheduler needs. The one schema for it. */
export const CellSpecSchema = z.strictObject({
  id: CellIdSchema,
  address: CellAddressSchema,
  zone: z.string().min(1).optional(),
  capacity: z.record(z.string().min(1), z.number().nonnegative()).optional(),
  labels: z.record(z.string().min(1), z.string()).optional(),
});

export type CellSpec = z.infer<typeof CellSpecSchema>;

export const CellPhaseSchema = z.enum(['Present', 'Departed', 'Lost']);

export type CellPhase = z.infer<typeof CellPhaseSchema>;

export const CellStatusSchema = z.object({
  phase: CellPhaseSchema,
  /** The registration's incarnation (a uuid per process start or re-registration). */
  incarnation: z.string().min(1).optional(),
  lastSeen: z.iso.datetime().optional(),
  conditions: z.array(ConditionSchema).default([]),
});

export type CellStatus = z.infer<typeof CellStatusSchema>;

/** A cell's registration and what the controller observed about its presence. */
export const CellSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Cell'),
  metadata: ObjectMetaSchema,
  spec: CellSpecSchema,
  status: CellStatusSchema.optional(),
});

export type Cell = z.infer<typeof CellSchema>;
