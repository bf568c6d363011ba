// Bench helper: many cells (one Lease each) in one process; SIGKILL it to kill them all at once.
import { ConsulClient } from '../dist/consul/client.js';
import { Cell } from '../dist/presence/cell.js';
import { PresenceKeys } from '../dist/presence/presence-keys.js';

const client = new ConsulClient({ baseUrl: process.env.BENCH_CONSUL });
const keys = new PresenceKeys();
let cells = [];

/** One consistent list of this pool's keys per heartbeat answers every cell's confirmation. */
function sharedConfirm(prefix, maxAgeMs) {
  let cached;
  let inflight;
  const refresh = async (signal, timeoutMs) => {
    const { value } = await client.kv.list(prefix, { consistency: 'consistent', signal, timeoutMs });
    cached = { at: Date.now(), holders: new Map(value.map((e) => [e.key, e.session])) };
  };
  return async (key, sessionId, signal, timeoutMs) => {
    if (cached === undefined || Date.now() - cached.at > maxAgeMs) {
      inflight ??= refresh(signal, timeoutMs).finally(() => (inflight = undefined));
      await inflight;
    }
    return cached.holders.get(key) === sessionId;
  };
}

async function startAll(message) {
  const confirm = sharedConfirm(`${keys.cellsPrefix}${message.poolPrefix}`, message.heartbeatMs / 2);
  cells = message.ids.map(
    (id, i) =>
      new Cell({
        client,
        keys,
        spec: {
          id,
          address: `10.0.${message.pool}.${i % 250}:7777`,
          zone: `z${i % 3}`,
          capacity: { memoryMb: 4096 },
        },
        checkTtlMs: message.checkTtlMs,
        heartbeatIntervalMs: message.heartbeatMs,
        acquireTimeoutMs: 120_000,
        confirm,
      }),
  );
  const queue = [...cells];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let cell = queue.shift(); cell !== undefined; cell = queue.shift()) await cell.start();
    }),
  );
  process.send({ type: 'registered', ms: Date.now() - started });
}

// The orchestrator died: do not linger.
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message.type === 'start') {
    startAll(message).catch((error) => {
      process.stderr.write(`[pool] registration failed: ${error.message}\n`);
      process.exit(1);
    });
  } else if (message.type === 'stats')
    process.send({ type: 'stats', requests: client.stats.requests, errors: client.stats.errors });
  else if (message.type === 'depart') {
    void Promise.all(cells.map((cell) => cell.stop('Stopped'))).then(() =>
      process.send({ type: 'departed' }),
    );
  }
});
process.send({ type: 'ready' });
