import { z } from 'zod';
import type { ConsulClient } from '../consul/client.js';
import { blockingLoop } from '../consul/blocking.js';
import { parseKvJson, sameListing, type KvEntry } from '../consul/wire.js';
import type { RecordKeys } from '../layout/record-keys.js';

/** What operators (through the Singleton record and `baton step-down`) ask of a singleton's candidates. */
export interface Directives {
  /** No worker may run. */
  readonly paused: boolean;
  /** The identity the holder should hand over to, when that candidate is waiting. */
  readonly preferredHolder: string | undefined;
  /** A one-off request for the holder whose session is named to hand over now. */
  readonly stepDown: StepDownRequest | undefined;
}

export const StepDownRequestSchema = z.object({
  session: z.string(),
  reason: z.string(),
  requestedAt: z.string(),
  requestedBy: z.string().optional(),
});

export type StepDownRequest = z.infer<typeof StepDownRequestSchema>;

const SpecDirectivesSchema = z.object({
  spec: z.object({ paused: z.boolean().optional(), preferredHolder: z.string().optional() }).loose(),
});

export const NO_DIRECTIVES: Directives = { paused: false, preferredHolder: undefined, stepDown: undefined };

/**
 * Read directives from a record's KV entries. A missing or malformed spec means "no directives": the
 * controller reports the bad record; candidates keep to the safe default (run normally).
 */
export function decodeDirectives(entries: readonly KvEntry[], name: string, keys: RecordKeys): Directives {
  const spec = entries.find((e) => e.key === keys.spec(name));
  const stepDown = entries.find((e) => e.key === keys.stepDown(name));
  const parsedSpec = spec === undefined ? undefined : SpecDirectivesSchema.safeParse(parseKvJson(spec.value));
  const parsedStepDown =
    stepDown === undefined ? undefined : StepDownRequestSchema.safeParse(parseKvJson(stepDown.value));
  return {
    paused: parsedSpec?.success === true ? parsedSpec.data.spec.paused === true : false,
    preferredHolder: parsedSpec?.success === true ? parsedSpec.data.spec.preferredHolder : undefined,
    stepDown: parsedStepDown?.success === true ? parsedStepDown.data : undefined,
  };
}

/** Watch a singleton's record with one blocking query and report every change of directives. */
export async function watchDirectives(
  client: ConsulClient,
  name: string,
  keys: RecordKeys,
  onChange: (directives: Directives) => void,
  signal: AbortSignal,
): Promise<void> {
  const prefix = keys.recordPrefix(name);
  const updates = blockingLoop(
    ({ index, waitMs, timeoutMs, signal: s }) =>
      client.kv.list(prefix, { signal: s, timeoutMs, ...(index > 0 ? { index, waitMs } : {}) }),
    { signal, same: sameListing },
  );
  for await (const update of updates) onChange(decodeDirectives(update.value, name, keys));
}
