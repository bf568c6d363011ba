import { findKind, type BatonRecord, type KindDefinition } from '../api/kinds.js';
import type { ConsulClient } from '../consul/client.js';
import { TxnRollbackError } from '../consul/errors.js';
import { MAX_TXN_OPS, type TxnOp } from '../consul/txn.js';
import { BatonError, ConfigError, ErrorCode } from '../errors.js';
import { planSpecWrite, type WriteAction } from './plan-write.js';
import { RecordStore } from './record-store.js';

export interface ApplyRecordsOptions {
  /**
   * KV root of the records.
   * @default 'baton/v1'
   */
  readonly root?: string;
  /**
   * Operations per transaction; Consul refuses more than 128.
   * @default 128
   */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

export interface ApplyOutcome {
  readonly kind: string;
  readonly name: string;
  readonly action: WriteAction;
  readonly generation: number;
}

/** A guarded write lost: a record changed between the read and the transaction. */
export class ApplyConflictError extends BatonError {
  constructor(
    readonly key: string,
    /** Records written by earlier batches before the conflicting one (0 for a single batch). */
    readonly committed: number,
    readonly total: number,
    options?: { cause?: unknown },
  ) {
    super(
      ErrorCode.StoreApplyConflict,
      `${key} changed while applying; ` +
        (committed === 0
          ? 'nothing was written'
          : `${committed} of ${total} records from earlier transactions were written`) +
        ': re-run apply',
      options,
    );
  }
}

/** The guarded operations an apply will run, one per record, in order. */
export interface ApplyPlan {
  readonly items: readonly { readonly outcome: ApplyOutcome; readonly op: TxnOp }[];
}

/**
 * Apply the specs of many records, all or nothing. Every record becomes one guarded op (a CAS write, or a
 * `check-index` when unchanged), so a concurrent change anywhere aborts the whole transaction.
 *
 * Consul caps a transaction at 128 ops. Up to 128 records the apply is one atomic transaction. Beyond that
 * it runs consecutive transactions of at most 128 ops: each is atomic, but a conflict in a later one leaves
 * the earlier ones written (reported by `ApplyConflictError.committed`); re-running the apply converges.
 */
export async function applyRecords(
  client: ConsulClient,
  records: readonly BatonRecord[],
  options: ApplyRecordsOptions = {},
): Promise<ApplyOutcome[]> {
  return commitApply(client, await planApply(client, records, options), options);
}

/** Read what is stored (one list per kind) and plan the guarded write of every record (`--dry-run`). */
export async function planApply(
  client: ConsulClient,
  records: readonly BatonRecord[],
  options: ApplyRecordsOptions = {},
): Promise<ApplyPlan> {
  const items: { outcome: ApplyOutcome; op: TxnOp }[] = [];
  for (const [kind, group] of groupByKind(records)) {
    const store = new RecordStore(client, kind, options.root === undefined ? {} : { root: options.root });
    const current = new Map((await store.list(options.signal)).value.map((entry) => [entry.name, entry]));
    for (const record of group) {
      const name = record.metadata.name;
      const plan = planSpecWrite(store.keys.spec(name), record, current.get(name));
      items.push({
        outcome: { kind: kind.kind, name, action: plan.action, generation: plan.generation },
        op: plan.op,
      });
    }
  }
  return { items };
}

/** Run a plan's operations in transactions of at most `batchSize` ops; see `applyRecords` for guarantees. */
export async function commitApply(
  client: ConsulClient,
  plan: ApplyPlan,
  options: ApplyRecordsOptions = {},
): Promise<ApplyOutcome[]> {
  const batchSize = Math.min(options.batchSize ?? MAX_TXN_OPS, MAX_TXN_OPS);
  const { items } = plan;
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = items.slice(start, start + batchSize);
    try {
      await client.txn.run(
        batch.map((item) => item.op),
        options.signal,
      );
    } catch (error: unknown) {
      if (!(error instanceof TxnRollbackError)) throw error;
      const failed = batch[error.errors[0]?.opIndex ?? 0]?.op.key ?? '(unknown key)';
      throw new ApplyConflictError(failed, start, items.length, { cause: error });
    }
  }
  return items.map((item) => item.outcome);
}

function groupByKind(records: readonly BatonRecord[]): Map<KindDefinition, BatonRecord[]> {
  const groups = new Map<KindDefinition, BatonRecord[]>();
  const seen = new Set<string>();
  for (const record of records) {
    const id = `${record.kind}/${record.metadata.name}`;
    if (seen.has(id)) throw new ConfigError(`${id} appears more than once; apply each record once`);
    seen.add(id);
    const kind = findKind(record.kind);
    if (kind === undefined) throw new ConfigError(`unknown kind ${record.kind}`);
    groups.set(kind, [...(groups.get(kind) ?? []), record]);
  }
  return groups;
}
