// A campaign worker: while it runs it "acts" every ~100 ms (one fenced-store request, one `act` history
// line), as a singleton's or a lock's command does. As a cell workload (no CHAOS_RESOURCE) it only waits.
// CHAOS_RUN_MS + CHAOS_EXIT_CODE: exit on its own after that long. CHAOS_DRAIN_MS: keep acting that long
// after SIGTERM/SIGINT before exiting 0. CHAOS_TERM=default: die by the signal's default action instead.
import { appendFileSync } from 'node:fs';

const env = process.env;
const resource = env.CHAOS_RESOURCE;
const who = `${env.CHAOS_WHO ?? 'worker'}/${process.pid}`;
const drainMs = Number(env.CHAOS_DRAIN_MS ?? '0');
const intervalMs = 100;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function tokenOf() {
  if (env.BATON_FENCING_TOKEN !== undefined) return Number(env.BATON_FENCING_TOKEN);
  // `baton lock` does not pass a token (yet): the lock key's ModifyIndex right after the acquire is it.
  const address = (env.CONSUL_HTTP_ADDR ?? '127.0.0.1:8500').replace(/^(?!https?:\/\/)/, 'http://');
  const response = await fetch(`${address}/v1/kv/${env.BATON_LOCK_KEY}?consistent`, {
    signal: AbortSignal.timeout(2_000),
  });
  const [entry] = await response.json();
  return Number(entry.ModifyIndex);
}

/**
 * One fenced-store request. A request that fails without an answer is retried once, as a real client
 * would: after a freeze longer than the store's keep-alive timeout (5 s), the pooled socket was closed by
 * the store while this process could not see it, and the first request on it fails within milliseconds
 * ("other side closed") without reaching the store. `error` says why when no attempt got an answer.
 */
async function fence(token) {
  let error;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const response = await fetch(`${env.CHAOS_STORE}/act`, {
        method: 'POST',
        body: JSON.stringify({ resource, token, who }),
        signal: AbortSignal.timeout(1_000),
      });
      return { verdict: (await response.json()).verdict };
    } catch (failure) {
      error = `${failure?.cause?.code ?? failure?.name ?? 'Error'}: ${failure?.cause?.message ?? failure?.message}`;
    }
  }
  return { verdict: 'none', error };
}

let stopAt;
const onStop = () => {
  stopAt ??= now() + drainMs;
};
if (env.CHAOS_TERM !== 'default') {
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
}
if (env.CHAOS_RUN_MS !== undefined) {
  setTimeout(() => process.exit(Number(env.CHAOS_EXIT_CODE ?? '0')), Number(env.CHAOS_RUN_MS));
}

const token = resource === undefined ? 0 : await tokenOf().catch(() => undefined);
if (token === undefined) process.exit(70);
while (stopAt === undefined || now() < stopAt) {
  if (resource !== undefined) {
    const t = now();
    const { verdict, error } = await fence(token);
    const line = {
      k: 'act',
      t,
      resource,
      who,
      token,
      fence: verdict,
      ...(error === undefined ? {} : { fenceError: error }),
    };
    appendFileSync(env.CHAOS_HISTORY, `${JSON.stringify(line)}\n`);
  }
  await sleep(intervalMs);
}
process.exit(0);
