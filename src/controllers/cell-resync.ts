import { parseKvJson, type KvEntry } from '../consul/wire.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import type { RecordKeys } from '../layout/record-keys.js';
import { storedEqual } from '../store/stored-equal.js';

/** What the Cell loop's resync judges from: its two caches, already in memory. */
export interface CellResyncView {
  /** The Cell records informer's snapshot (spec and status keys). */
  readonly records: ReadonlyMap<string, KvEntry>;
  readonly recordKeys: RecordKeys;
  /** The live cells' presence keys (the watcher's `cellKeys`). */
  readonly presence: ReadonlyMap<string, KvEntry>;
  readonly presenceKeys: PresenceKeys;
  /** How long ended cells' records are kept (the reconciler deletes them after). */
  readonly retentionMs: number;
  readonly now: Date;
}

/**
 * The cells a periodic resync must reconcile: every one whose record, as cached, is out of step with its
 * presence key, as cached; every ended record whose retention may be over; anything that does not decode.
 * A cell that is Present with its current incarnation and spec is skipped, so a resync of 10,000 healthy
 * cells costs a pass over memory and no Consul request, instead of 10,000 reconciles of several reads each.
 * The caches come from blocking watches that miss no change, so a record they show in step was in step at
 * their index; any later change triggers its own reconcile.
 */
export function cellsToResync(view: CellResyncView): Set<string> {
  const specs = new Map<string, unknown>();
  const statuses = new Map<string, unknown>();
  for (const [key, entry] of view.records) {
    const where = view.recordKeys.parse(key);
    if (where === undefined) continue;
    (where.part === 'spec' ? specs : statuses).set(where.name, parseKvJson(entry.value));
  }
  const due = new Set<string>();
  const live = new Set<string>();
  for (const [key, entry] of view.presence) {
    const where = view.presenceKeys.classify(key);
    if (where?.kind !== 'cell') continue;
    live.add(where.id);
    if (!inStep(parseKvJson(entry.value), specs.get(where.id), statuses.get(where.id))) due.add(where.id);
  }
  for (const name of specs.keys()) {
    if (live.has(name)) continue;
    const status = field(statuses.get(name), 'phase');
    const ended = status === 'Lost' || status === 'Departed';
    if (!ended || retentionMayBeOver(statuses.get(name), view.retentionMs, view.now)) due.add(name);
  }
  return due;
}

/** Point lookups in the same caches, for one cell at a time. */
export interface CellCaches {
  readonly records: Pick<ReadonlyMap<string, KvEntry>, 'get'>;
  readonly recordKeys: RecordKeys;
  readonly presence: Pick<ReadonlyMap<string, KvEntry>, 'get'>;
  readonly presenceKeys: PresenceKeys;
}

/**
 * Whether a live cell's cached record is already in step with its cached presence key: then a change of its
 * record (most often the controller's own status write, echoed by the records informer) needs no
 * reconcile. Anything else (an ended cell, a deleted or hand-edited record, a cache that disagrees) does.
 */
export function cellInStep(name: string, caches: CellCaches): boolean {
  const key = caches.presence.get(caches.presenceKeys.cell(name));
  const spec = caches.records.get(caches.recordKeys.spec(name));
  const status = caches.records.get(caches.recordKeys.status(name));
  if (key === undefined || spec === undefined || status === undefined) return false;
  return inStep(parseKvJson(key.value), parseKvJson(spec.value), parseKvJson(status.value));
}

/** A live cell's record is in step when it is Present with the registration's incarnation and spec. */
function inStep(registration: unknown, spec: unknown, status: unknown): boolean {
  if (!isObject(registration) || !isObject(spec) || !isObject(status)) return false;
  if (status['phase'] !== 'Present' || status['incarnation'] !== registration['incarnation']) return false;
  const { id, address, zone, capacity, labels } = registration;
  return storedEqual(spec['spec'], { id, address, zone, capacity, labels });
}

/** An ended record's retention runs from its `Present` condition's last transition (about when it ended). */
function retentionMayBeOver(status: unknown, retentionMs: number, now: Date): boolean {
  const conditions = field(status, 'conditions');
  if (!Array.isArray(conditions)) return true;
  const present: unknown = conditions.find((c: unknown) => field(c, 'type') === 'Present');
  const since = Date.parse(String(field(present, 'lastTransitionTime')));
  return Number.isNaN(since) || since + retentionMs <= now.getTime();
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
