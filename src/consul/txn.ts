import type { ConsulHttp } from './http.js';
import { ConsulPermissionError, TxnRollbackError } from './errors.js';
import { TxnErrorWireSchema, TxnResultWireSchema, type KvEntry } from './wire.js';
import { InvalidArgumentError } from '../errors.js';

/** Consul's per-transaction operation limit (`maxTxnOps`, consul-facts §3.5). */
export const MAX_TXN_OPS = 128;

/**
 * The request size Baton's transactions stay under: half of Consul's default `limits.txn_max_req_len`
 * (512 KiB, consul-facts §3.5), which a larger body exceeds with 413 for the whole transaction.
 */
export const TXN_BUDGET_BYTES = 256 * 1024;

type Bytes = string | Uint8Array;

/** About what one op adds to the request body: values travel base64-encoded inside JSON. */
export function txnOpWireBytes(op: TxnOp): number {
  const valueBytes = 'value' in op ? Buffer.byteLength(op.value) : 0;
  return 96 + Buffer.byteLength(op.key) + Math.ceil(valueBytes / 3) * 4;
}

/** One KV operation inside `/v1/txn`. */
export type TxnOp =
  | { readonly verb: 'set'; readonly key: string; readonly value: Bytes }
  | { readonly verb: 'cas'; readonly key: string; readonly value: Bytes; readonly index: number }
  | {
      readonly verb: 'lock' | 'unlock';
      readonly key: string;
      readonly value: Bytes;
      readonly session: string;
    }
  | {
      readonly verb: 'get' | 'get-tree' | 'check-not-exists' | 'delete' | 'delete-tree';
      readonly key: string;
    }
  | { readonly verb: 'check-index' | 'delete-cas'; readonly key: string; readonly index: number }
  | { readonly verb: 'check-session'; readonly key: string; readonly session: string };

/** `/v1/txn`: all operations apply or none do. */
export class TxnApi {
  readonly #http: ConsulHttp;

  constructor(http: ConsulHttp) {
    this.#http = http;
  }

  /**
   * Run the operations atomically. Returns the KV entries that read verbs (and writes) report.
   * Throws `TxnRollbackError` with Consul's per-operation reasons when any operation fails.
   */
  async run(ops: readonly TxnOp[], signal?: AbortSignal): Promise<KvEntry[]> {
    if (ops.length === 0) return [];
    if (ops.length > MAX_TXN_OPS) {
      throw new InvalidArgumentError(
        `a transaction holds at most ${MAX_TXN_OPS} operations, got ${ops.length}; batch it`,
      );
    }
    const path = '/v1/txn';
    const response = await this.#http.send({ method: 'PUT', path, body: ops.map(toWire), signal });
    if (response.status === 409) {
      const { Errors } = this.#http.parse(TxnErrorWireSchema, response, path);
      const errors = (Errors ?? []).map((e) => ({ opIndex: e.OpIndex, what: e.What }));
      // Consul reports an ACL refusal inside a transaction as a per-operation rollback; it is no conflict.
      const denied = errors.find((e) => /^permission denied/i.test(e.what));
      if (denied !== undefined) throw new ConsulPermissionError(path, `op ${denied.opIndex}: ${denied.what}`);
      throw new TxnRollbackError(errors);
    }
    const parsed = this.#http.parse(TxnResultWireSchema, this.#http.check(response, path), path);
    return (parsed.Results ?? []).flatMap((result) => (result.KV === undefined ? [] : [result.KV]));
  }
}

interface WireOp {
  Verb: string;
  Key: string;
  Value?: string;
  Index?: number;
  Session?: string;
}

function toWire(op: TxnOp): { KV: WireOp } {
  const kv: WireOp = { Verb: op.verb, Key: op.key };
  if ('value' in op) kv.Value = Buffer.from(op.value).toString('base64');
  if ('index' in op) kv.Index = op.index;
  if ('session' in op) kv.Session = op.session;
  return { KV: kv };
}
