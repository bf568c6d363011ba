import type { Logger } from '../log/logger.js';
import { STOP_SIGNALS } from './exit-status.js';

/**
 * Call `stop` on the first SIGTERM or SIGINT. Later ones are logged and change nothing: the clean stop in
 * progress is already bounded by the kill grace, and dying hard on a second Ctrl-C would release nothing
 * cleanly (with `once` handlers, Node's default action would kill this process). Returns a remover.
 */
export function onStopSignals(log: Logger, stop: (signal: NodeJS.Signals) => void): () => void {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      log.info({ signal, first: received }, 'already stopping');
      return;
    }
    received = signal;
    stop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
