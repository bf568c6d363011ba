import { describe, expect, it } from 'vitest';
import { DurationSchema, formatDurationMs, parseDurationMs } from '../../src/time/duration.js';
import { formatAge } from '../../src/cli/output/table.js';

describe('durations as operators write them', () => {
  it.each<[string, number | undefined]>([
    ['0', 0],
    ['250ms', 250],
    ['1s', 1_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    [' 3s ', 3_000],
    ['5', undefined],
    ['', undefined],
    ['1d', undefined],
    ['-1s', undefined],
    ['1s junk', undefined],
  ])('parseDurationMs(%j) = %s', (text, expected) => {
    expect(parseDurationMs(text)).toBe(expected);
  });

  it.each<[number, string]>([
    [250, '250ms'],
    [1_200, '1.2s'],
    [60_000, '1m'],
    [90_000, '90s'],
    [86_400_000, '24h'],
  ])('formatDurationMs(%d) = %s', (ms, expected) => {
    expect(formatDurationMs(ms)).toBe(expected);
    expect(parseDurationMs(expected)).toBe(ms);
  });

  it('DurationSchema says what a duration looks like', () => {
    const result = DurationSchema.safeParse('soon');
    expect(result.error?.issues[0]?.message).toBe('"soon" is not a duration (use e.g. 250ms, 1.5s, 2m)');
  });

  it.each<[number, string]>([
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [7_199, '119m'],
    [7_200, '2h'],
    [172_800, '2d'],
  ])('formatAge of %d seconds ago is %s', (seconds, expected) => {
    const now = new Date('2025-06-01T12:00:00Z');
    expect(formatAge(new Date(now.getTime() - seconds * 1_000).toISOString(), now)).toBe(expected);
  });
});
