import { describe, expect, it } from 'vitest';
import { blockingLoop, type BlockingRead } from '../../src/consul/blocking.js';
import { FakeClock, flush } from '../support/fake-clock.js';

/** A read that answers at once with the next index, recording when (fake time) it was sent. */
function reader(clock: FakeClock, sentAt: number[], costMs: number | undefined) {
  let index = 0;
  return (_request: BlockingRead) => {
    sentAt.push(clock.now());
    index += 1;
    return Promise.resolve({ index, value: index, ...(costMs === undefined ? {} : { costMs }) });
  };
}

async function consume(
  busyFraction: number | undefined,
  handlingMs: number,
  answers: number,
  costMs?: number,
) {
  const clock = new FakeClock(0);
  const sentAt: number[] = [];
  const stop = new AbortController();
  const loop = blockingLoop(reader(clock, sentAt, costMs), {
    signal: stop.signal,
    clock,
    burst: 100,
    refillMs: 1,
    ...(busyFraction === undefined ? {} : { busyFraction }),
  });
  const done = (async () => {
    let n = 0;
    for await (const _answer of loop) {
      n += 1;
      if (n >= answers) break;
      await clock.sleep(handlingMs); // the consumer's handling of the answer takes fake time
    }
  })();
  for (let i = 0; i < 50 && sentAt.length < answers; i += 1) await clock.advance(handlingMs);
  await flush();
  stop.abort();
  await done;
  return sentAt;
}

describe('blockingLoop pacing by handling cost (fake time)', () => {
  it('without busyFraction, reads again as soon as the answer is handled', async () => {
    const sentAt = await consume(undefined, 400, 4);
    expect(sentAt).toEqual([0, 400, 800, 1200]);
  });

  it('with busyFraction 0.25, an answer that took 400 ms to handle is followed by a 1.2 s pause', async () => {
    const sentAt = await consume(0.25, 400, 3);
    expect(sentAt).toEqual([0, 1600, 3200]);
  });

  it("counts the answer's own receive-and-decode cost (costMs) with the handling", async () => {
    const sentAt = await consume(0.25, 100, 3, 300);
    expect(sentAt).toEqual([0, 1300, 2600]); // (300 + 100) x 3 = 1200 ms of pause after 100 ms of handling
  });

  it('cheap answers are barely delayed', async () => {
    const sentAt = await consume(0.25, 2, 4);
    expect(sentAt).toEqual([0, 8, 16, 24]);
  });
});

describe('blockingLoop pacing of early answers with nothing new (fake time)', () => {
  /** Answers at once with a new index each time; the value changes only on the reads listed in `news`. */
  async function wakes(reads: number, news: readonly number[], same?: (a: number, b: number) => boolean) {
    const clock = new FakeClock(0);
    const sentAt: number[] = [];
    let value = 0;
    const stop = new AbortController();
    const loop = blockingLoop(
      (_request: BlockingRead) => {
        sentAt.push(clock.now());
        if (news.includes(sentAt.length)) value += 1;
        return Promise.resolve({ index: sentAt.length, value });
      },
      { signal: stop.signal, clock, burst: 100, refillMs: 1, ...(same === undefined ? {} : { same }) },
    );
    const done = (async () => {
      for await (const _answer of loop) if (sentAt.length >= reads) break;
    })();
    for (let i = 0; i < 100 && sentAt.length < reads; i += 1) await clock.advance(50);
    await flush();
    stop.abort();
    await done;
    return sentAt.slice(0, reads);
  }

  it('without `same`, reads again at once however often the index moves for nothing', async () => {
    expect(await wakes(6, [])).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('with `same`, backs off 100 ms doubling while wakes bring nothing new, and not after news', async () => {
    const same = (a: number, b: number): boolean => a === b;
    // Answers 2.. bring nothing: after the first such one no pause, then 100, 200, 400 ms.
    expect(await wakes(6, [], same)).toEqual([0, 0, 0, 100, 300, 700]);
    // News on the 4th read ends the streak: the reads after it follow at once again.
    expect(await wakes(6, [4], same)).toEqual([0, 0, 0, 100, 100, 100]);
  });
});
