import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
// The only import from src/: what a library user gets from `import … from 'baton'`.
import * as baton from '../../src/index.js';
import {
  BatonError,
  Cell,
  ConfigError,
  ConsulClient,
  ErrorCode,
  EventLog,
  KvLayout,
  listLiveCells,
  PRESENCE_EVENTS,
  PresenceWatcher,
  Singleton,
  SINGLETON_EVENTS,
  tryLock,
  type Leadership,
  type PresenceEvent,
  type SingletonEvent,
  type TryLockResult,
} from '../../src/index.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

/** The README's "Library API" section: the public surface as documented. */
function documentedSurface(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Library API'), readme.indexOf('## Timing model'));
  const imported = [...section.matchAll(/import \{([^}]*)\} from 'baton'/g)].flatMap((match) =>
    (match[1] ?? '').split(',').map((name) => name.trim().replace(/^type /, '')),
  );
  // The error-code table: | `CODE` | `Class` | meaning | exit |.
  const errors = [...section.matchAll(/^\| `([A-Z_]+)`\s*\| `(\w+)`/gm)].map((match) => match[2] ?? '');
  return [...new Set([...imported, ...errors])].filter((name) => /^\w+$/.test(name));
}

/** Documented error classes that only the CLI or internal machinery throws: not part of the library. */
const NOT_LIBRARY = new Set(['CliError', 'TerminalError']);

describe("the public surface (src/index.ts) is what the README's library section documents", () => {
  it('exports every documented name', () => {
    const documented = documentedSurface();
    expect(documented).toEqual(expect.arrayContaining(['Singleton', 'tryLock', 'EventLog', 'LockLostError']));
    const missing = documented.filter((name) => !NOT_LIBRARY.has(name) && !(name in baton));
    expect(missing).toEqual([]);
  });

  it('exports the error classes a library caller may meet, each a coded BatonError', () => {
    const errorClasses = Object.entries(baton as Record<string, unknown>)
      .filter(
        ([, value]) =>
          typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof BatonError,
      )
      .map(([name]) => name);
    expect(errorClasses).toEqual(
      expect.arrayContaining([
        'ConfigError',
        'LockLostError',
        'WorkFailedError',
        'PresenceLostError',
        'EventLogContentionError',
        'RecordNotFoundError',
        'ApplyConflictError',
        'ConsulPermissionError',
        'WatchdogLostError',
        'CasConflictError',
      ]),
    );
    expect(Object.values(ErrorCode)).toContain(new ConfigError('x').code);
  });
});

describe('one short flow through the public surface, on a real Consul agent', () => {
  it('a singleton worker runs an exclusive operation, a cell is watched and listed, events are typed', async () => {
    const { agent } = consul.get();
    const client = new ConsulClient({ baseUrl: agent.httpAddr });
    const root = uniquePrefix('public-surface');
    const layout = new KvLayout(root);

    // A singleton whose work runs one exclusive operation, and a second try that finds it taken.
    const outcomes: TryLockResult<number>[] = [];
    let term: Leadership | undefined;
    const singleton = new Singleton({
      client,
      root,
      name: 'converger',
      identity: 'surface-a',
      work: async (leadership) => {
        term = leadership;
        outcomes.push(
          await tryLock(
            'Backup.1',
            async () => {
              outcomes.push(await tryLock('Backup.1', () => Promise.resolve(2), { client, root }));
              return 1;
            },
            { client, root },
          ),
        );
        await new Promise<void>((resolve) => leadership.signal.addEventListener('abort', () => resolve()));
      },
    });
    const running = singleton.start();
    await vi.waitFor(() => expect(singleton.state).toBe('leading'), { timeout: 30_000 });
    await vi.waitFor(() => expect(outcomes).toHaveLength(2), { timeout: 30_000 });
    expect(outcomes).toEqual([{ status: 'dropped' }, { status: 'ran', value: 1 }]);
    expect(term?.lockKey).toBe(layout.locks.singleton('converger'));
    const lock = await client.kv.get(layout.locks.singleton('converger'));
    expect(lock.value?.session).toBe(term?.sessionId);

    // Presence: the watcher reports what the cell does, and only live cells are listed.
    const watcher = new PresenceWatcher({ client, root });
    const seen: PresenceEvent[] = [];
    watcher.events.on((event) => seen.push(event));
    await watcher.start();
    const cell = new Cell({ client, root, spec: { id: 'cell-7', address: '127.0.0.1:7777', zone: 'z1' } });
    await cell.start();
    expect((await listLiveCells(client, { root })).map((live) => live.id)).toEqual(['cell-7']);
    await vi.waitFor(() => expect(seen.map((event) => event.type)).toEqual(['CellRegistered']), {
      timeout: 30_000,
    });
    await cell.stop();
    await vi.waitFor(() => expect(seen.map((event) => event.type)).toContain('CellDeparted'), {
      timeout: 30_000,
    });
    expect(seen.map((event) => event.type)).not.toContain('CellLost');
    expect(await listLiveCells(client, { root })).toEqual([]);
    await watcher.stop();

    // The durable log of the same events, typed by its stream descriptor.
    const presenceLog = new EventLog({ client, root, stream: PRESENCE_EVENTS });
    expectTypeOf(presenceLog).toEqualTypeOf<EventLog<PresenceEvent>>();
    const logged = await presenceLog.read(0);
    expect(logged.events.map((event) => event.type)).toEqual(expect.arrayContaining(['CellDeparted']));
    const singletonLog = new EventLog({ client, root, stream: SINGLETON_EVENTS });
    expectTypeOf(singletonLog).toEqualTypeOf<EventLog<SingletonEvent>>();

    await singleton.stop();
    await running;
    expect(singleton.state).toBe('stopped');
    expect((await client.kv.get(layout.locks.singleton('converger'))).value?.session).toBeUndefined();

    // Bad input is a coded error from the catalogue, not a bare Error.
    expect(() => new Singleton({ client, root, name: 'Bad Name', work: () => Promise.resolve() })).toThrow(
      ConfigError,
    );
    try {
      new KvLayout('/absolute');
      expect.unreachable('a root with a leading slash is refused');
    } catch (error) {
      expect(error).toBeInstanceOf(BatonError);
      expect((error as BatonError).code).toBe(ErrorCode.Config);
    }
  }, 120_000);
});
