import { z } from 'zod';
import { CellIdSchema, CellSpecSchema, type CellSpec } from '../api/cell.js';
import { BatonError, ErrorCode } from '../errors.js';

export { CellAddressSchema, CellIdSchema, CellSpecSchema, type CellSpec } from '../api/cell.js';

/**
 * The record at `cells/<id>`, held by the cell's session. `incarnation` names one continuous presence:
 * a new uuid per process start and per re-registration after the session was lost, so a watcher never
 * mistakes a comeback for continuity.
 */
export const CellRegistrationSchema = CellSpecSchema.extend({
  incarnation: z.uuid(),
  /** When this process started (ISO 8601). */
  startedAt: z.iso.datetime(),
});

export type CellRegistration = z.infer<typeof CellRegistrationSchema>;

/**
 * The largest registration (JSON bytes) a cell may write. A registration travels in every presence commit
 * about its cell (presence key, known record, incarnation record, events), and Consul refuses a whole
 * transaction over `txn_max_req_len` (512 KiB by default, base64 on the wire): bounded here, one cell's
 * labels can never make every commit fail. See docs/consul-facts.md §3.3, §3.5.
 */
export const MAX_REGISTRATION_BYTES = 64 * 1024;

/** A registration over `MAX_REGISTRATION_BYTES`: refused before anything is written. */
export class CellRegistrationTooLargeError extends BatonError {
  constructor(
    readonly cellId: string,
    readonly bytes: number,
  ) {
    super(
      ErrorCode.CellRegistrationTooLarge,
      `cell ${cellId}: registration is ${bytes} bytes; the limit is ${MAX_REGISTRATION_BYTES} bytes ` +
        '(MAX_REGISTRATION_BYTES): shrink its labels or capacity',
    );
  }
}

export function registrationBytes(registration: CellRegistration): number {
  return Buffer.byteLength(JSON.stringify(registration), 'utf8');
}

/** Throw `CellRegistrationTooLargeError` unless `registration` fits the limit. */
export function assertRegistrationSize(registration: CellRegistration): void {
  const bytes = registrationBytes(registration);
  if (bytes > MAX_REGISTRATION_BYTES) throw new CellRegistrationTooLargeError(registration.id, bytes);
}

/**
 * Written in the same transaction that deletes `cells/<id>` on a clean stop. It carries the registration it
 * ends, so an incarnation that registered and departed while no watcher looked (a controller failover) is
 * still reported, registered then departed. Records written before it carried one lack `registration`.
 */
export const DepartureRecordSchema = z.object({
  id: CellIdSchema,
  incarnation: z.uuid(),
  departedAt: z.iso.datetime(),
  reason: z.string().min(1),
  registration: CellRegistrationSchema.optional(),
});

export type DepartureRecord = z.infer<typeof DepartureRecordSchema>;

/** The watcher's status record at `known/<id>`: the registration it last reported. */
export const KnownCellSchema = z.object({
  registration: CellRegistrationSchema,
  observedAt: z.iso.datetime(),
});

export type KnownCell = z.infer<typeof KnownCellSchema>;

/** The watcher's record at `outcomes/<id>`: how the cell's last ended incarnation ended. */
export const CellOutcomeSchema = z.object({
  incarnation: z.uuid(),
  type: z.enum(['CellLost', 'CellDeparted']),
  reason: z.string().min(1),
  observedAt: z.iso.datetime(),
});

export type CellOutcome = z.infer<typeof CellOutcomeSchema>;

/** The scheduler's view of a live cell. */
export type LiveCell = CellSpec;

export function toLiveCell(registration: CellRegistration): LiveCell {
  const { id, address, zone, capacity, labels } = registration;
  return {
    id,
    address,
    ...(zone === undefined ? {} : { zone }),
    ...(capacity === undefined ? {} : { capacity }),
    ...(labels === undefined ? {} : { labels }),
  };
}

/** Stable comparison of two registrations (key order does not matter). */
export function sameRegistration(a: CellRegistration, b: CellRegistration): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
