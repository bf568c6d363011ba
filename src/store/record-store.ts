import type { BatonRecord, KindDefinition } from '../api/kinds.js';
import type { ConsulClient } from '../consul/client.js';
import { CasConflictError, TxnRollbackError } from '../consul/errors.js';
import type { Consistency } from '../consul/http.js';
import type { Indexed } from '../consul/kv.js';
import type { TxnOp } from '../consul/txn.js';
import type { KvEntry } from '../consul/wire.js';
import { decodeRecords } from './decode-records.js';
import { RecordNotFoundError } from './errors.js';
import { planSpecWrite, type WriteAction } from './plan-write.js';
import type { RecordEntry } from './record-entry.js';
import { RecordKeys } from '../layout/record-keys.js';
import { resolveRootOption } from '../layout/root.js';

export interface RecordStoreOptions {
  /**
   * KV root under which kinds live (tests use a unique prefix).
   * @default 'baton/v1'
   */
  readonly root?: string;
  /**
   * Read consistency for `get` and `list`.
   * @default 'default'
   */
  readonly consistency?: Consistency;
}

/** The outcome of a spec write. */
export interface WriteResult {
  readonly action: WriteAction;
  readonly generation: number;
  /** The spec key's new ModifyIndex (the record's new `resourceVersion`). */
  readonly specIndex: number;
}

/**
 * Typed records of one kind over Consul KV: spec and status under separate keys, every write a CAS on the
 * key's ModifyIndex. Reads never throw on a malformed record; it comes back as an `InvalidEntry`.
 */
export class RecordStore<R extends BatonRecord> {
  readonly kind: KindDefinition<R>;
  readonly keys: RecordKeys;
  readonly #client: ConsulClient;
  readonly #consistency: Consistency | undefined;

  constructor(client: ConsulClient, kind: KindDefinition<R>, options: RecordStoreOptions = {}) {
    this.#client = client;
    this.kind = kind;
    this.keys = new RecordKeys(kind, resolveRootOption(options.root));
    this.#consistency = options.consistency;
  }

  /** Every record of the kind, sorted by name, with the KV index of the read. */
  async list(signal?: AbortSignal): Promise<Indexed<RecordEntry<R>[]>> {
    const { value, index } = await this.#client.kv.list(this.keys.prefix, this.#readOptions(signal));
    return { value: this.decode(value), index };
  }

  /** One record, or `undefined` when it has no spec key. */
  async get(name: string, signal?: AbortSignal): Promise<RecordEntry<R> | undefined> {
    const { value } = await this.#client.kv.list(this.keys.recordPrefix(name), this.#readOptions(signal));
    return this.decode(value).find((entry) => entry.name === name);
  }

  /** Decode raw KV entries under this kind's prefix (what an informer holds) into records. */
  decode(entries: Iterable<KvEntry>): RecordEntry<R>[] {
    return decodeRecords(this.kind, this.keys, entries);
  }

  /**
   * Create or update the spec of `desired` (its status is ignored: status is written by `writeStatus`).
   * Throws `CasConflictError` when the record changed since it was read (or since `resourceVersion`).
   */
  async applySpec(desired: R, signal?: AbortSignal): Promise<WriteResult> {
    const name = desired.metadata.name;
    const key = this.keys.spec(name);
    const plan = planSpecWrite(key, desired, await this.get(name, signal));
    const results = await this.#run([plan.op], signal, () => new CasConflictError(key, indexOf(plan.op)));
    const written = results.find((entry) => entry.key === key);
    return {
      action: plan.action,
      generation: plan.generation,
      specIndex: written?.modifyIndex ?? indexOf(plan.op),
    };
  }

  /**
   * Write the status subresource, guarded by its own ModifyIndex (`statusIndex` from the entry read; 0 to
   * create) and by the spec key still existing, so a status write never resurrects a deleted record.
   * Returns the status key's new ModifyIndex.
   */
  async writeStatus(
    entry: Pick<RecordEntry<R>, 'name' | 'statusIndex'>,
    status: NonNullable<R['status']>,
    signal?: AbortSignal,
  ): Promise<number> {
    const statusKey = this.keys.status(entry.name);
    const ops: TxnOp[] = [
      { verb: 'get', key: this.keys.spec(entry.name) },
      { verb: 'cas', key: statusKey, value: JSON.stringify(status), index: entry.statusIndex },
    ];
    const results = await this.#run(ops, signal, (opIndex) =>
      opIndex === 0
        ? new RecordNotFoundError(this.kind.kind, entry.name)
        : new CasConflictError(statusKey, entry.statusIndex),
    );
    return results.find((kv) => kv.key === statusKey)?.modifyIndex ?? 0;
  }

  /**
   * Delete a record (spec and status). Throws `RecordNotFoundError` when there is nothing to delete; with
   * `resourceVersion`, deletes only if the spec is still at that index, else throws `CasConflictError`.
   */
  async delete(
    name: string,
    options: { resourceVersion?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const specKey = this.keys.spec(name);
    const guard: TxnOp =
      options.resourceVersion === undefined
        ? { verb: 'get', key: specKey }
        : { verb: 'check-index', key: specKey, index: options.resourceVersion };
    await this.#run(
      [guard, { verb: 'delete-tree', key: this.keys.recordPrefix(name) }],
      options.signal,
      () =>
        options.resourceVersion === undefined
          ? new RecordNotFoundError(this.kind.kind, name)
          : new CasConflictError(specKey, options.resourceVersion),
    );
  }

  async #run(
    ops: readonly TxnOp[],
    signal: AbortSignal | undefined,
    onRollback: (opIndex: number) => Error,
  ): Promise<KvEntry[]> {
    try {
      return await this.#client.txn.run(ops, signal);
    } catch (error: unknown) {
      if (error instanceof TxnRollbackError) {
        throw Object.assign(onRollback(error.errors[0]?.opIndex ?? 0), { cause: error });
      }
      throw error;
    }
  }

  #readOptions(signal: AbortSignal | undefined): { signal?: AbortSignal; consistency?: Consistency } {
    return {
      ...(signal === undefined ? {} : { signal }),
      ...(this.#consistency === undefined ? {} : { consistency: this.#consistency }),
    };
  }
}

function indexOf(op: TxnOp): number {
  return 'index' in op ? op.index : 0;
}
