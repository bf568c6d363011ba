import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { PRESENCE_STREAM } from '../../src/presence/presence-event.js';
import { SINGLETON_STREAM } from '../../src/singleton/singleton-events.js';
import { baton } from '../support/cli.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

/** `baton events` against the fixture agent under its own root; the printed rows as `type subject`. */
function events(
  root: string,
  args: readonly string[],
): { status: number | null; rows: string[]; stderr: string } {
  const result = baton(['events', '--root', root, '-o', 'json', ...args], {
    CONSUL_HTTP_ADDR: consul.get().agent.httpAddr,
  });
  const rows = result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const event = JSON.parse(line) as { type: string; subject: string };
      return `${event.type} ${event.subject}`;
    });
  return { status: result.status, rows, stderr: result.stderr };
}

describe('baton events flags', () => {
  it('--for and --type select one record and some types; --for singleton/NAME reads the singletons stream', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('cli-events');
    const observedAt = new Date().toISOString();
    const cell = (type: string, subject: string) => ({ type, subject, observedAt, reason: 'Test' });
    await new EventLog({ client, root, stream: PRESENCE_STREAM }).append([
      cell('CellRegistered', 'cell-a'),
      cell('CellRegistered', 'cell-b'),
      cell('CellLost', 'cell-a'),
      cell('CellDeparted', 'cell-b'),
      cell('CellUpdated', 'cell-a'),
    ]);
    await new EventLog({ client, root, stream: SINGLETON_STREAM }).append([
      cell('HolderChanged', 'converger'),
      cell('HolderChanged', 'other'),
    ]);

    expect(events(root, ['--for', 'cell/cell-a']).rows).toEqual([
      'CellRegistered cell-a',
      'CellLost cell-a',
      'CellUpdated cell-a',
    ]);
    expect(events(root, ['--type', 'CellLost,CellDeparted']).rows).toEqual([
      'CellLost cell-a',
      'CellDeparted cell-b',
    ]);
    expect(
      events(root, ['--type', 'CellLost', '--type', 'CellRegistered', '--for', 'cell/cell-b']).rows,
    ).toEqual(['CellRegistered cell-b']);
    expect(events(root, ['--for', 'singleton/converger']).rows).toEqual(['HolderChanged converger']);
  });

  it('refuses an unknown --stream, a bad --for and a --for that contradicts --stream as usage errors', () => {
    const root = uniquePrefix('cli-events-usage');
    const typo = events(root, ['--stream', 'presense']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('unknown stream "presense": expected presence or singletons');
    expect(typo.rows).toEqual([]);
    expect(events(root, ['--for', 'cell']).status).toBe(2);
    expect(events(root, ['--for', 'lock/x']).status).toBe(2);
    const contradiction = events(root, ['--for', 'cell/a', '--stream', 'singletons']);
    expect(contradiction.status).toBe(2);
    expect(contradiction.stderr).toContain('--for cell/a reads stream presence');
  });
});
