import { describe, expect, expectTypeOf, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { PRESENCE_EVENTS, type PresenceEvent } from '../../src/presence/presence-event.js';
import { SINGLETON_EVENTS, type SingletonEvent } from '../../src/singleton/singleton-events.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();
const observedAt = new Date('2026-01-02T03:04:05.000Z').toISOString();

const handedOver = {
  type: 'HolderChanged',
  subject: 'converger',
  observedAt,
  reason: 'HandedOver',
  data: {
    holder: 'b',
    previousHolder: 'a',
    fencingToken: 42,
    previousFencingToken: 40,
    previousTermEnded: 'released',
  },
} as const;

describe('typed event streams against a real Consul agent', () => {
  it('reads singleton events as a discriminated union, keeps unknown types, leaves the wire unchanged', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('typed-events');
    const typed = new EventLog({ client, root, stream: SINGLETON_EVENTS });
    const untyped = new EventLog({ client, root, stream: 'singletons' });
    expectTypeOf(typed).toEqualTypeOf<EventLog<SingletonEvent>>();
    expectTypeOf(untyped).toEqualTypeOf<EventLog>();

    await typed.append([handedOver]);
    // A newer writer's type, unknown to this reader's schema.
    await untyped.append([{ type: 'HolderPinned', subject: 'converger', observedAt, reason: 'Operator' }]);
    await typed.append([
      {
        type: 'TermsMissed',
        subject: 'converger',
        observedAt,
        reason: 'HistoryGap',
        data: { missedTerms: 2, fromLockIndex: 3, toLockIndex: 6 },
      },
    ]);

    const read = await typed.read(0);
    expect(read.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'HolderChanged'],
      [3, 'TermsMissed'],
    ]);
    expect(read.unrecognized.map((e) => [e.seq, e.type])).toEqual([[2, 'HolderPinned']]);
    const first = read.events[0];
    if (first?.type !== 'HolderChanged') throw new Error('expected HolderChanged first');
    expectTypeOf(first.reason).toEqualTypeOf<'Acquired' | 'HandedOver' | 'FailedOver'>();
    expectTypeOf(first.data.fencingToken).toEqualTypeOf<number | null>();
    expect(first.data.fencingToken).toBe(42);

    // The untyped view reads the very same envelopes: the typed schema changed nothing on the wire.
    expect((await untyped.read(0)).events).toEqual([
      { ...handedOver, seq: 1 },
      expect.objectContaining({ seq: 2, type: 'HolderPinned' }),
      expect.objectContaining({ seq: 3, type: 'TermsMissed' }),
    ]);

    // A subscriber sees recognised and unrecognised events in log order, none dropped.
    const order: string[] = [];
    const stop = new AbortController();
    await typed.subscribe(
      { since: 0, signal: stop.signal, onUnrecognized: (e) => void order.push(`?${e.type}`) },
      (event) => {
        order.push(event.type);
        if (event.seq === 3) stop.abort();
      },
    );
    expect(order).toEqual(['HolderChanged', '?HolderPinned', 'TermsMissed']);
  });

  it('refuses, with a code, an append that does not fit the stream, and types presence events', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('typed-refuse');
    const typed = new EventLog({ client, root, stream: SINGLETON_EVENTS });
    const wrongReason = { ...handedOver, reason: 'Released' } as unknown as typeof handedOver;
    await expect(typed.append([wrongReason])).rejects.toMatchObject({ code: 'BATON_INVALID_ARGUMENT' });
    expect(await typed.head()).toBe(0);

    const presence = new EventLog({ client, root, stream: PRESENCE_EVENTS });
    expectTypeOf<
      Awaited<ReturnType<typeof presence.read>>['events'][number]
    >().toEqualTypeOf<PresenceEvent>();
    const lost = (await presence.read(0)).events.find((e) => e.type === 'CellLost');
    expectTypeOf<NonNullable<typeof lost>['reason']>().toEqualTypeOf<'SessionInvalidated' | 'Reincarnated'>();
    expect(lost).toBeUndefined();
  });
});
