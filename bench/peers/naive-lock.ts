/**
 * The naive session lock of the first seed, as a `consul lock`-style runner for the failover benchmark:
 *
 *   node --import tsx bench/peers/naive-lock.ts KEY WHO -- CMD [ARGS...]
 *
 * It does what Go's `api.Lock` does with a 10 s TTL (consul-facts §2.1, §5.1): a session with TTL 10 s renewed
 * every TTL/2, Consul's default lock-delay (15 s) and `serfHealth` link, a blocking wait on the key, and a
 * 5 s sleep whenever an acquire is refused on a free key (it cannot tell lock-delay from a lost race).
 * While it holds KEY it runs CMD; SIGTERM/SIGINT stops CMD, releases KEY, then destroys the session.
 *
 * CMD is tied to this process with `setpriv --pdeathsig SIGKILL`, as the seed's workers do their work
 * in-process: a hard kill of the lock holder ends its work too, so the benchmark compares lock timing only.
 * Reads CONSUL_HTTP_ADDR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { ConsulClient } from '../../src/consul/client.js';
import { InvalidSessionError } from '../../src/consul/errors.js';
import { parseDurationMs } from '../../src/time/duration.js';
import { abortableSleep, isAborted } from '../../src/time/clock.js';

const SESSION_TTL_MS = 10_000;
/** Consul's default lock-delay, written out (a create body without LockDelay gets 15 s; consul-facts §1.2). */
const LOCK_DELAY_MS = 15_000;
/** `api.DefaultLockWaitTime`: how long each blocking read waits. */
const WAIT_MS = 15_000;
/** `api.DefaultLockRetryTime`: the sleep after an acquire refused on a free key. */
const RETRY_MS = 5_000;
/** `consul lock`'s lockKillGracePeriod between SIGTERM and SIGKILL of the command. */
const KILL_GRACE_MS = 5_000;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

const { key, who, command, commandArgs } = parseArgv(process.argv.slice(2));

const client = ConsulClient.fromEnv();
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());

const session = await client.session.create({
  name: `naive lock ${key} (${who})`,
  ttlMs: SESSION_TTL_MS,
  lockDelayMs: LOCK_DELAY_MS,
  nodeChecks: ['serfHealth'],
});
const lost = new AbortController();
const renewing = renewUntil(AbortSignal.any([stop.signal, lost.signal]));
let held = false;
try {
  held = await acquire(AbortSignal.any([stop.signal, lost.signal]));
  if (held) await runWhileHeld();
} catch (error: unknown) {
  if (!isAborted(stop.signal) && !isAborted(lost.signal)) throw error;
} finally {
  lost.abort();
  await renewing;
  if (held) await client.kv.put(key, '', { release: session }).catch(() => false);
  await client.session.destroy(session).catch(() => undefined);
}

/** Renew every TTL/2, adopting the TTL the server returns; a 404 means the session is gone. */
async function renewUntil(signal: AbortSignal): Promise<void> {
  let ttlMs = SESSION_TTL_MS;
  while (!isAborted(signal)) {
    const slept = await abortableSleep(ttlMs / 2, signal).then(
      () => true,
      () => false,
    );
    if (!slept) return;
    try {
      const info = await client.session.renew(session, signal);
      ttlMs = parseDurationMs(info.ttl) ?? ttlMs;
    } catch (error: unknown) {
      if (error instanceof InvalidSessionError) lost.abort();
    }
  }
}

/** Block until the key is free, then acquire; a refused acquire on a free key sleeps 5 s like api.Lock. */
async function acquire(signal: AbortSignal): Promise<boolean> {
  let index = 0;
  while (!isAborted(signal)) {
    const blocking = index > 0 ? { index, waitMs: WAIT_MS } : {};
    const read = await client.kv.get(key, { signal, timeoutMs: WAIT_MS + 5_000, ...blocking });
    if (read.value?.session !== undefined && read.value.session !== session) {
      index = Math.max(1, read.index);
      continue;
    }
    if (await client.kv.put(key, who, { acquire: session, signal })) return true;
    const again = await client.kv.get(key, { signal });
    if (again.value?.session !== undefined) {
      index = Math.max(1, again.index);
      continue;
    }
    await abortableSleep(RETRY_MS, signal);
    index = 0;
  }
  return false;
}

/** Run the command until it exits, we are stopped, or a consistent read shows the key is no longer ours. */
async function runWhileHeld(): Promise<void> {
  const child: ChildProcess = SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...commandArgs], { stdio: 'inherit' })
    : spawn(command, commandArgs, { stdio: 'inherit' });
  const exited = once(child, 'exit');
  const done = new AbortController();
  const watching = watchHeld(AbortSignal.any([done.signal, stop.signal]));
  await Promise.race([exited, watching, whenAborted(stop.signal)]);
  done.abort();
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  await watching;
}

/** Resolves when the key stops naming our session (or on any error, like api.Lock without retries). */
async function watchHeld(signal: AbortSignal): Promise<void> {
  let index = 0;
  try {
    while (!isAborted(signal)) {
      const blocking = index > 0 ? { index, waitMs: WAIT_MS } : {};
      const read = await client.kv.get(key, {
        consistency: 'consistent',
        signal,
        timeoutMs: WAIT_MS + 5_000,
        ...blocking,
      });
      if (read.value?.session !== session) return;
      index = Math.max(1, read.index);
    }
  } catch {
    return;
  }
}

function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function parseArgv(argv: readonly string[]): {
  key: string;
  who: string;
  command: string;
  commandArgs: readonly string[];
} {
  const [key, who, separator, command, ...commandArgs] = argv;
  if (key === undefined || who === undefined || separator !== '--' || command === undefined) {
    console.error('usage: naive-lock.ts KEY WHO -- CMD [ARGS...]');
    process.exit(2);
  }
  return { key, who, command, commandArgs };
}
