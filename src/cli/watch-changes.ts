import { PrefixInformer } from '../cache/prefix-informer.js';
import type { ConsulClient } from '../consul/client.js';
import type { KvEntry } from '../consul/wire.js';
import type { WatchEventType } from './output/output-format.js';

export interface WatchChangesOptions<T> {
  readonly client: ConsulClient;
  readonly prefix: string;
  /** The objects under the prefix, keyed by a stable id, from a snapshot of its keys. */
  readonly objects: (entries: Iterable<KvEntry>) => ReadonlyMap<string, T> | Promise<ReadonlyMap<string, T>>;
  /** What was printed already (the initial listing): only differences from it are reported. */
  readonly initial: ReadonlyMap<string, T>;
  /** Whether an object changed (e.g. a ModifyIndex moved). */
  readonly same: (before: T, after: T) => boolean;
  readonly onChange: (type: WatchEventType, object: T) => void;
}

/**
 * `--watch`: follow a KV prefix with one blocking query and report each object that was added, changed or
 * deleted since the last report, until SIGINT/SIGTERM. Level-based: every answer is compared with the
 * objects last reported, so an answer that coalesces many writes reports each object once.
 */
export async function watchChanges<T>(options: WatchChangesOptions<T>): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => {
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const informer = new PrefixInformer({ client: options.client, prefix: options.prefix });
  let known = options.initial;
  // Reports run one after another, each from the snapshot current when it starts.
  let reporting = Promise.resolve();
  const report = async (): Promise<void> => {
    const next = await options.objects(informer.snapshot().values());
    for (const [id, object] of next) {
      const before = known.get(id);
      if (before === undefined) options.onChange('ADDED', object);
      else if (!options.same(before, object)) options.onChange('MODIFIED', object);
    }
    for (const [id, object] of known) if (!next.has(id)) options.onChange('DELETED', object);
    known = next;
  };
  informer.onChange(() => {
    reporting = reporting.then(report);
  });
  try {
    await informer.run(abort.signal);
    await reporting;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
