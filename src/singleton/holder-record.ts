import { hostname } from 'node:os';
import { z } from 'zod';

/** How a term ended: `released` on purpose (stop, step-down, pause) or `lost` with its session. */
export const TermEndingSchema = z.enum(['released', 'lost']);
export type TermEnding = z.infer<typeof TermEndingSchema>;

/** The value of a lock key: who holds it, so operators can see who holds what. */
export const HolderRecordSchema = z.object({
  identity: z.string().min(1),
  host: z.string(),
  pid: z.number().int(),
  since: z.string(),
  session: z.string().optional(),
  /** How the term before this one ended, read from the free key at acquire: handover versus failover. */
  predecessor: z.object({ identity: z.string().optional(), ended: TermEndingSchema }).optional(),
});

export type HolderRecord = z.infer<typeof HolderRecordSchema>;
export type Predecessor = NonNullable<HolderRecord['predecessor']>;

/** The identity a candidate uses when none is given: `host:pid`. */
export function defaultIdentity(): string {
  return `${hostname()}:${process.pid}`;
}

export function holderRecord(
  identity: string,
  session: string,
  now = new Date(),
  predecessor?: Predecessor,
): HolderRecord {
  return {
    identity,
    host: hostname(),
    pid: process.pid,
    since: now.toISOString(),
    session,
    ...(predecessor === undefined ? {} : { predecessor }),
  };
}

/**
 * How the last term on a free lock key ended, from the key's value alone: a clean release writes an empty
 * value (`Lease.close`), while an invalidated session leaves its holder's record in place (sessions of
 * `Behavior: release` keep the values of the keys they held). Undefined for a value Baton did not write.
 */
export function endedTerm(value: Buffer): Predecessor | undefined {
  if (value.length === 0) return { ended: 'released' };
  const holder = decodeHolder(value);
  return holder === undefined ? undefined : { identity: holder.identity, ended: 'lost' };
}

/** Decode a lock key's value; a foreign or hand-edited value yields `undefined`, never a throw. */
export function decodeHolder(value: Buffer): HolderRecord | undefined {
  try {
    const parsed = HolderRecordSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
