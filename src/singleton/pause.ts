import { SingletonKind } from '../api/kinds.js';
import { API_VERSION } from '../api/metadata.js';
import type { Singleton } from '../api/singleton.js';
import type { ConsulClient } from '../consul/client.js';
import { CasConflictError } from '../consul/errors.js';
import { InvalidStateError } from '../errors.js';
import { RecordNotFoundError } from '../store/errors.js';
import { RecordStore, type WriteResult } from '../store/record-store.js';

export interface SetPausedOptions {
  /** The installation's KV root (see `KvLayout`). @default 'baton/v1' */
  readonly root?: string;
  readonly signal?: AbortSignal;
}

/** Writes of `spec.paused` retried when the record changes between the read and the CAS (status writes do). */
const CAS_ATTEMPTS = 5;

/**
 * Pause (`true`) or resume (`false`) singleton `name`: `spec.paused` of its record, written by CAS through the
 * record store and retried on a concurrent change. Pausing a singleton without a record creates one;
 * resuming one throws `RecordNotFoundError`; a record whose spec does not decode throws
 * `InvalidStateError`. Candidates obey it through their directives: a paused worker hands over cleanly and
 * nobody acquires. What `baton pause` and `baton resume` do.
 */
export async function setSingletonPaused(
  client: ConsulClient,
  name: string,
  paused: boolean,
  options: SetPausedOptions = {},
): Promise<WriteResult> {
  const store = new RecordStore(client, SingletonKind, {
    ...(options.root === undefined ? {} : { root: options.root }),
    consistency: 'consistent',
  });
  for (let attempt = 1; ; attempt++) {
    const entry = await store.get(name, options.signal);
    if (entry !== undefined && entry.record === undefined) {
      throw new InvalidStateError(`singleton "${name}" is invalid (${entry.error.path}): fix its spec first`);
    }
    if (entry === undefined && !paused) throw new RecordNotFoundError('Singleton', name);
    const record: Singleton = entry?.record ?? {
      apiVersion: API_VERSION,
      kind: 'Singleton',
      metadata: { name, generation: 0, resourceVersion: '', labels: {}, annotations: {} },
      spec: { paused },
    };
    const desired: Singleton = {
      ...record,
      metadata: { ...record.metadata, resourceVersion: entry === undefined ? '' : String(entry.specIndex) },
      spec: { ...record.spec, paused },
    };
    try {
      return await store.applySpec(desired, options.signal);
    } catch (error: unknown) {
      if (!(error instanceof CasConflictError) || attempt >= CAS_ATTEMPTS) throw error;
    }
  }
}
