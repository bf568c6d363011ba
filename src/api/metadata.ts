import { z } from 'zod';

/** The only apiVersion this release reads and writes. */
export const API_VERSION = 'baton/v1';

/** A DNS label (RFC 1123): it becomes a Consul KV path segment, so it must stay plain. */
export const NameSchema = z
  .string()
  .min(1, 'name must not be empty')
  .max(63, 'name must be at most 63 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'name must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit',
  );

const StringMapSchema = z.record(z.string().min(1).max(253), z.string().max(1024));

/**
 * Identity and bookkeeping of a record. `generation` counts spec changes (the store bumps it);
 * `resourceVersion` is the Consul ModifyIndex of the spec key ("" for a record never stored).
 */
export const ObjectMetaSchema = z.strictObject({
  name: NameSchema,
  generation: z.number().int().nonnegative().default(0),
  resourceVersion: z.string().regex(/^\d*$/, 'resourceVersion is a Consul index').default(''),
  labels: StringMapSchema.default({}),
  annotations: StringMapSchema.default({}),
});

export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;
