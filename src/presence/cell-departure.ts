import type { ConsulClient } from '../consul/client.js';
import { ConsulPermissionError, TxnRollbackError } from '../consul/errors.js';
import type { TxnOp } from '../consul/txn.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { retryUntil } from '../time/retry.js';
import type { CellRegistration, DepartureRecord } from './cell-registration.js';

export interface Departure {
  readonly client: ConsulClient;
  readonly keys: PresenceKeys;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long timeouts and transient errors are retried before giving up (the cell then reads as lost). */
  readonly timeoutMs: number;
  /** The session that holds the presence key. */
  readonly sessionId: string;
  readonly registration: CellRegistration;
  readonly reason: string;
  /**
   * The registration itself may not have committed (a claim cancelled in flight), so a key that is not
   * ours means there was nothing to withdraw rather than a lost session.
   */
  readonly uncertainClaim: boolean;
}

/**
 * A clean departure: one transaction checks the session still holds the presence key, deletes it and the
 * incarnation record and writes the departure record (with the registration it ends), so a watcher sees
 * the deletion and its explanation in one snapshot, and one that never saw this incarnation live can still
 * report it. A timeout may have committed: the next attempt, or its consistent read-back, finds out.
 */
export async function departCell(departure: Departure): Promise<void> {
  const { client, keys, clock, log, registration, sessionId, uncertainClaim } = departure;
  const { id, incarnation } = registration;
  const record: DepartureRecord = {
    id,
    incarnation,
    departedAt: new Date().toISOString(),
    reason: departure.reason,
    registration,
  };
  const ops: TxnOp[] = [
    { verb: 'check-session', key: keys.cell(id), session: sessionId },
    { verb: 'delete', key: keys.cell(id) },
    { verb: 'delete', key: keys.incarnation(id, incarnation) },
    { verb: 'set', key: keys.departure(id, incarnation), value: JSON.stringify(record) },
  ];
  let attempt = 0;
  const tryDepart = async (): Promise<true> => {
    attempt += 1;
    try {
      await client.txn.run(ops);
      log.info({ incarnation, attempt }, 'cell departed');
      return true;
    } catch (error: unknown) {
      if (!(error instanceof TxnRollbackError)) throw error;
    }
    // The key is no longer ours: an earlier attempt committed, or the session was lost.
    if (await departureCommitted(client, keys, registration, sessionId)) {
      log.info({ incarnation, attempt }, 'cell departed (an earlier attempt committed)');
    } else if (uncertainClaim) {
      log.debug({ incarnation }, 'registration cancelled before it committed; nothing to withdraw');
    } else {
      // The session died before the stop (a frozen or cut-off process missed its check TTL): this
      // incarnation was already lost, and watchers rightly report CellLost for it.
      log.warn({ incarnation }, 'presence session lost before the departure; reported as lost');
    }
    return true;
  };
  try {
    await retryUntil(tryDepart, {
      clock,
      giveUpAt: clock.now() + departure.timeoutMs,
      // A refusal (no permission) does not change on retry.
      retryable: (error) => !(error instanceof ConsulPermissionError),
      onError: (error) => log.warn({ err: error, attempt }, 'departure attempt failed; retrying'),
    });
  } catch (error: unknown) {
    log.warn({ err: error, attempt }, 'clean departure failed; cell will read as lost');
  }
}

/** Consistent reads after a departure attempt that may have committed: did it? */
async function departureCommitted(
  client: ConsulClient,
  keys: PresenceKeys,
  registration: CellRegistration,
  sessionId: string,
): Promise<boolean> {
  const [key, departure, session] = await Promise.all([
    client.kv.get(keys.cell(registration.id), { consistency: 'consistent' }),
    client.kv.get(keys.departure(registration.id, registration.incarnation), { consistency: 'consistent' }),
    client.session.info(sessionId, { consistency: 'consistent' }),
  ]);
  // A live session's key is only deleted by our own departure (a lost one's by Consul: not departed).
  return departure.value !== undefined || (key.value?.session !== sessionId && session !== undefined);
}
