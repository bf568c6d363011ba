// A candidate of a singleton run through the library: its work checks `isLeading()` and does `fencedPut`
// every ~100 ms (the library's documented contract), and records
// each attempt as an `act` whose fence verdict is the fencedPut outcome (refused = rolled back, or refused
// before sending because the term was no longer leading, or refused by ACL: its token was deleted). Stops
// cleanly on SIGTERM/SIGINT; a permission error ends the candidate (start() rejects) and the process.
import { appendFileSync } from 'node:fs';
import { ConsulClient, Singleton } from '../../dist/index.js';

const env = process.env;
const name = env.CHAOS_SINGLETON;
const resource = `singleton/${name}`;
const who = `${env.CHAOS_WHO}/${process.pid}`;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
const REFUSED = new Set([
  'CONSUL_PERMISSION_DENIED',
  'CONSUL_TXN_ROLLBACK',
  'BATON_ABORTED',
  'BATON_LOCK_LOST',
  'CONSUL_INVALID_SESSION',
]);

const singleton = new Singleton({
  client: ConsulClient.fromEnv(),
  name,
  identity: env.CHAOS_WHO,
  work: async ({ token, signal, isLeading, fencedPut }) => {
    while (!signal.aborted) {
      // The library's contract (seed 004): check you are still primary before acting, then write fenced.
      if (!isLeading()) {
        await sleep(20, signal);
        continue;
      }
      const t = now();
      let fence = 'accepted';
      try {
        await fencedPut(`chaos/${name}/fenced`, JSON.stringify({ token, who }));
      } catch (error) {
        fence = REFUSED.has(error?.code) ? 'refused' : 'none';
      }
      appendFileSync(env.CHAOS_HISTORY, `${JSON.stringify({ k: 'act', t, resource, who, token, fence })}\n`);
      await sleep(100, signal);
    }
  },
});
const stop = () => void singleton.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
await singleton.start();
