import type { z } from 'zod';
import { CellSchema, CellStatusSchema, type Cell } from './cell.js';
import { SingletonSchema, SingletonStatusSchema, type Singleton } from './singleton.js';

/** Every record kind Baton stores. */
export type BatonRecord = Singleton | Cell;

/** What generic code (store, apply, CLI) needs to know about one kind. */
export interface KindDefinition<R extends BatonRecord = BatonRecord> {
  readonly kind: R['kind'];
  /** Lowercase plural: the KV path segment and the `baton get` resource name. */
  readonly plural: string;
  readonly singular: string;
  readonly schema: z.ZodType<R>;
  readonly statusSchema: z.ZodType<NonNullable<R['status']>>;
}

export const SingletonKind: KindDefinition<Singleton> = {
  kind: 'Singleton',
  plural: 'singletons',
  singular: 'singleton',
  schema: SingletonSchema,
  statusSchema: SingletonStatusSchema,
};

export const CellKind: KindDefinition<Cell> = {
  kind: 'Cell',
  plural: 'cells',
  singular: 'cell',
  schema: CellSchema,
  statusSchema: CellStatusSchema,
};

export const KINDS: readonly KindDefinition[] = [SingletonKind, CellKind];

/** Look a kind up by its `kind`, plural or singular name (case-insensitive), as `baton get` accepts it. */
export function findKind(name: string): KindDefinition | undefined {
  const lower = name.toLowerCase();
  return KINDS.find(
    (kind) => kind.kind.toLowerCase() === lower || kind.plural === lower || kind.singular === lower,
  );
}
