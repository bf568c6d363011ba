import { z } from 'zod';

/** Zod schemas for Consul's JSON responses; the rest of Baton sees only the camelCase types below. */

const uint64 = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .transform((value) => BigInt(value));

export const KvEntryWireSchema = z
  .object({
    Key: z.string(),
    Value: z.string().nullable().optional(),
    Flags: uint64.optional(),
    CreateIndex: z.number().int(),
    ModifyIndex: z.number().int(),
    LockIndex: z.number().int(),
    Session: z.string().optional(),
  })
  .transform((wire) => ({
    key: wire.Key,
    value: Buffer.from(wire.Value ?? '', 'base64'),
    flags: wire.Flags ?? 0n,
    createIndex: wire.CreateIndex,
    modifyIndex: wire.ModifyIndex,
    lockIndex: wire.LockIndex,
    ...(wire.Session === undefined || wire.Session === '' ? {} : { session: wire.Session }),
  }));

/** One KV entry. `value` is raw bytes; `flags` is a full uint64. */
export type KvEntry = z.infer<typeof KvEntryWireSchema>;

export const SessionWireSchema = z
  .object({
    ID: z.string(),
    Name: z.string().optional(),
    Node: z.string(),
    LockDelay: z.number().optional(),
    Behavior: z.string().optional(),
    TTL: z.string().optional(),
    NodeChecks: z.array(z.string()).nullable().optional(),
    CreateIndex: z.number().int(),
    ModifyIndex: z.number().int(),
  })
  .transform((wire) => ({
    id: wire.ID,
    name: wire.Name ?? '',
    node: wire.Node,
    /** Consul reports LockDelay in nanoseconds. */
    lockDelayMs: Math.round((wire.LockDelay ?? 0) / 1e6),
    behavior: wire.Behavior === 'delete' ? ('delete' as const) : ('release' as const),
    ttl: wire.TTL ?? '',
    nodeChecks: wire.NodeChecks ?? [],
    createIndex: wire.CreateIndex,
  }));

export type SessionInfo = z.infer<typeof SessionWireSchema>;

export const SessionListWireSchema = z
  .array(SessionWireSchema)
  .nullable()
  .transform((list) => list ?? []);

export const AgentSelfWireSchema = z
  .object({
    Config: z.object({ NodeName: z.string(), Datacenter: z.string(), Version: z.string().optional() }),
    Member: z.object({ Name: z.string() }).optional(),
  })
  .transform((wire) => ({
    nodeName: wire.Config.NodeName,
    datacenter: wire.Config.Datacenter,
    version: wire.Config.Version ?? 'unknown',
  }));

export type AgentSelf = z.infer<typeof AgentSelfWireSchema>;

export const TxnErrorWireSchema = z.object({
  Errors: z.array(z.object({ OpIndex: z.number().int(), What: z.string() })).nullable(),
});

export const TxnResultWireSchema = z.object({
  Results: z.array(z.object({ KV: KvEntryWireSchema.optional() })).nullable(),
});

/** A KV value's JSON, or undefined when it is not JSON (a hand-edited or foreign value): never throws. */
export function parseKvJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    ) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether two listings hold the same keys at the same ModifyIndexes (a blocking read that woke for nothing). */
export function sameListing(a: readonly KvEntry[], b: readonly KvEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((entry, i) => entry.key === b[i]?.key && entry.modifyIndex === b[i].modifyIndex)
  );
}
