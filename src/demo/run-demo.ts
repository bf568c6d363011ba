import { fileURLToPath } from 'node:url';
import type { ConsulClient } from '../consul/client.js';
import { CONTROLLER_SINGLETON } from '../controllers/controller-daemon.js';
import { ConsulAgentProcess } from '../dev/agent-process.js';
import { locateConsul } from '../dev/consul-binary.js';
import { freePort } from '../dev/ports.js';
import type { BatonEvent } from '../events/event.js';
import { EventLog } from '../events/event-log.js';
import { PRESENCE_STREAM } from '../presence/presence-event.js';
import { SINGLETON_STREAM } from '../singleton/singleton-events.js';
import { decodeHolder } from '../singleton/holder-record.js';
import { KvLayout } from '../layout/kv-layout.js';
import { abortableSleep } from '../time/clock.js';
import { DemoCast } from './demo-cast.js';

const MANIFESTS = fileURLToPath(new URL('../../manifests/', import.meta.url));
const SINGLETON = 'converger';
const CELLS = ['cell-1', 'cell-2', 'cell-3', 'cell-4', 'cell-5'];

const started = Date.now();
const say = (line: string): void => {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ${line}\n`);
};

/**
 * The local demo on the embedded default: a Consul dev agent of its own, the seed manifests, a controller,
 * three candidates for `converger` and five cells as real processes; then a hard kill of the worker and of
 * a cell and a clean stop of another cell, narrated from the durable event streams as they happen.
 */
export async function runDemo(): Promise<void> {
  say('finding Consul (built from Go modules on first use, which takes a few minutes)...');
  const binary = await locateConsul({ log: say });
  const agent = await ConsulAgentProcess.start({ binary: binary.path, nodeName: 'baton-demo', mode: 'dev' });
  const cast = new DemoCast(agent.httpAddr);
  const stop = new AbortController();
  const seen: BatonEvent[] = [];
  try {
    await agent.waitReady();
    say(`Consul ${binary.version} dev agent at ${agent.httpAddr} (log ${agent.logPath})`);
    for (const line of cast.run(['apply', '-f', MANIFESTS]).trim().split('\n')) say(`apply: ${line}`);
    const client = agent.client();
    for (const stream of [SINGLETON_STREAM, PRESENCE_STREAM]) {
      void new EventLog({ client, stream }).subscribe({ signal: stop.signal, since: 0 }, (event) => {
        seen.push(event);
        say(`event ${event.type.padEnd(15)} ${event.subject.padEnd(10)} ${describe(event)}`);
      });
    }
    const http = await freePort();
    cast.start('controller-1', ['controller', '--identity', 'controller-1', '--http', `127.0.0.1:${http}`]);
    await until(async () => (await holderOf(client, CONTROLLER_SINGLETON)) === 'controller-1');
    cast.start('controller-2', [
      'controller',
      '--identity',
      'controller-2',
      '--http',
      `127.0.0.1:${await freePort()}`,
    ]);
    say(
      `controllers started: controller-1 is active (status at http://127.0.0.1:${http}/status), controller-2 waits hot`,
    );
    for (const n of [1, 2, 3]) {
      cast.start(`converger-${n}`, [
        'run',
        '--singleton',
        SINGLETON,
        '--identity',
        `converger-${n}`,
        '--',
        'sleep',
        '3600',
      ]);
    }
    CELLS.forEach((id, i) => {
      cast.start(id, [
        'cell',
        '--id',
        id,
        '--address',
        `127.0.0.1:${7001 + i}`,
        '--zone',
        `z${(i % 2) + 1}`,
        '--',
        'sleep',
        '3600',
      ]);
    });
    say(`started 3 candidates for ${SINGLETON} and ${CELLS.length} cells`);
    await until(
      () =>
        seen.some((e) => e.type === 'HolderChanged') &&
        CELLS.every((id) => seen.some((e) => e.type === 'CellRegistered' && e.subject === id)),
    );

    const worker = await holderOf(client, SINGLETON);
    if (worker === undefined) throw new Error('no worker holds converger');
    say(`--- SIGKILL the worker ${worker} (hard death: no clean handover)`);
    const killedAt = Date.now();
    cast.signal(worker, 'SIGKILL');
    const successor = await until(() =>
      seen.find(
        (e) =>
          e.type === 'HolderChanged' &&
          e.subject === SINGLETON &&
          eventHolder(e) !== worker &&
          Date.parse(e.observedAt) > killedAt,
      ),
    );
    const failoverMs = Date.parse(successor.observedAt) - killedAt;
    say(
      `failover: ${eventHolder(successor)} took over ${failoverMs} ms after the SIGKILL (as observed by the controller)`,
    );

    say('--- SIGKILL cell-2 (hard death) and SIGTERM cell-3 (clean shutdown)');
    const cellsAt = Date.now();
    cast.signal('cell-2', 'SIGKILL');
    cast.signal('cell-3', 'SIGTERM');
    const lost = await until(() => seen.find((e) => e.type === 'CellLost' && e.subject === 'cell-2'));
    await until(() => seen.find((e) => e.type === 'CellDeparted' && e.subject === 'cell-3'));
    say(`CellLost for cell-2 ${Date.parse(lost.observedAt) - cellsAt} ms after its SIGKILL`);
    await abortableSleep(3_000);
    const falseLoss = seen.some((e) => e.type === 'CellLost' && e.subject === 'cell-3');
    say(
      falseLoss
        ? 'UNEXPECTED: cell-3 was reported lost'
        : 'cell-3 departed cleanly: CellDeparted only, no CellLost',
    );
    say('--- SIGKILL the active controller-1');
    const controllerKilledAt = Date.now();
    cast.signal('controller-1', 'SIGKILL');
    await until(async () => (await holderOf(client, CONTROLLER_SINGLETON)) === 'controller-2');
    say(`controller-2 is active ${Date.now() - controllerKilledAt} ms after the SIGKILL`);
    process.stdout.write(
      `\n$ baton get singletons\n${cast.run(['get', 'singletons'])}\n$ baton get cells\n${cast.run(['get', 'cells'])}`,
    );
  } finally {
    stop.abort();
    await cast.stopAll();
    await agent.dispose();
    say('cleaned up: every process stopped, the dev agent is gone');
  }
}

/** The identity holding a singleton's lock right now, read consistently. */
async function holderOf(client: ConsulClient, singleton: string): Promise<string | undefined> {
  const { value } = await client.kv.get(new KvLayout().locks.singleton(singleton), {
    consistency: 'consistent',
  });
  return value?.session === undefined ? undefined : decodeHolder(value.value)?.identity;
}

function eventHolder(event: BatonEvent): string {
  const holder = event.data?.['holder'];
  return typeof holder === 'string' ? holder : '?';
}

function describe(event: BatonEvent): string {
  if (event.type === 'HolderChanged')
    return `holder=${eventHolder(event)} token=${String(event.data?.['fencingToken'])} (${event.reason})`;
  if (event.type === 'HolderReleased') return `no holder (${event.reason})`;
  return `incarnation=${event.incarnation?.slice(0, 8) ?? '-'} (${event.reason})`;
}

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error('the demo waited too long for the next step; see the Consul log');
    await abortableSleep(50);
  }
}
