import { hostname } from 'node:os';
import { z } from 'zod';

/** The value of a lock key: who holds it, so operators can see who holds what. */
export const HolderRecordSchema = z.object({
  identity: z.string().min(1),
  host: z.string(),
  pid: z.number().int(),
  since: z.string(),
  session: z.string().optional(),
});

export type HolderRecord = z.infer<typeof HolderRecordSchema>;

/** The identity a candidate uses when none is given: `host:pid`. */
export function defaultIdentity(): string {
  return `${hostname()}:${process.pid}`;
}

export function holderRecord(identity: string, session: string, now = new Date()): HolderRecord {
  return { identity, host: hostname(), pid: process.pid, since: now.toISOString(), session };
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
