import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTROLLER_SINGLETON } from '../../src/controllers/controller-daemon.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { baton, CliProcesses } from '../support/cli.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();
const processes = new CliProcesses();
afterEach(() => processes.stopAll());

/** The fixture agent and a root of this test's own. */
function env(): NodeJS.ProcessEnv {
  return { CONSUL_HTTP_ADDR: consul.get().agent.httpAddr, BATON_LOG_LEVEL: 'warn' };
}

/** `baton cell` running `true`, with these flags. */
const cellArgs = (...flags: string[]): string[] => [
  'cell',
  '--id',
  'd',
  '--address',
  '10.0.0.1:80',
  ...flags,
  '--',
  'true',
];

/** One argv per time flag of every command; `VALUE` marks where the flag's value goes. */
const EVERY_TIME_FLAG: readonly (readonly string[])[] = [
  ...['--check-ttl', '--lock-delay', '--confirm-interval', '--kill-grace'].flatMap((flag) => [
    ['run', '--singleton', 'durations', flag, 'VALUE', '--', 'true'],
    ['lock', '--try', 'durations', flag, 'VALUE', '--', 'true'],
    ['controller', '--http', 'off', flag, 'VALUE'],
  ]),
  ...['--check-ttl', '--heartbeat', '--kill-grace'].map((flag) => cellArgs(flag, 'VALUE')),
  ...['--resync', '--cell-retention', '--lock-retention'].map((flag) => [
    'controller',
    '--http',
    'off',
    flag,
    'VALUE',
  ]),
  ['step-down', 'durations', '--reason', 'test', '--wait', 'VALUE'],
  ['wait', 'singleton/durations', '--for', 'delete', '--timeout', 'VALUE'],
];

const withValue = (argv: readonly string[], value: string): string[] =>
  argv.map((word) => (word === 'VALUE' ? value : word));

describe('every time flag takes the one duration syntax', () => {
  it.each(EVERY_TIME_FLAG.map((argv) => [argv.join(' '), argv] as const))(
    'a malformed value is a usage error, one line naming the flag: %s',
    (_, argv) => {
      const flag = argv[argv.indexOf('VALUE') - 1] ?? '';
      const result = baton(['--root', uniquePrefix('durations'), ...withValue(argv, '1.5 s')], env());
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `baton: ${flag} takes a duration such as 250ms, 1.5s or 2m, got "1.5 s" (see baton ${argv[0] ?? ''} --help)`,
      ]);
    },
  );

  it('run, lock, cell, step-down and wait accept 1.5s (exits of the commands themselves)', () => {
    const root = uniquePrefix('durations');
    const run = (args: readonly string[]) => baton(['--root', root, ...args], env());
    const cases: [readonly string[], number, string?][] = [
      [['run', '--singleton', 'd', '--check-ttl', '1.5s', '--lock-delay', '2s', '--', 'true'], 0],
      [
        [
          'run',
          '--singleton',
          'd',
          '--kill-grace',
          '1.5s',
          '--confirm-interval',
          '250ms',
          '--lock-delay',
          '2.5s',
          '--',
          'true',
        ],
        0,
      ],
      [
        [
          'lock',
          '--try',
          'd',
          '--check-ttl',
          '1.5s',
          '--lock-delay',
          '2.5s',
          '--kill-grace',
          '1.5s',
          '--',
          'true',
        ],
        0,
      ],
      [cellArgs('--check-ttl', '1.5s', '--heartbeat', '0.5s', '--kill-grace', '1.5s'), 0],
      [['wait', 'singleton/d', '--for', 'delete', '--timeout', '1.5s'], 0],
      // Parsed, then refused for what it asks: nobody holds `d` (not a usage error).
      [
        ['step-down', 'd', '--reason', 'test', '--wait', '1.5s'],
        1,
        'baton: nobody holds singleton d; nothing to step down\n',
      ],
    ];
    for (const [args, status, stderr = ''] of cases) {
      const result = run(args);
      expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status, stderr });
    }
  });

  it('the durations are read as what they say: cell refuses a heartbeat above half the TTL, in their units', () => {
    const result = baton(cellArgs('--check-ttl', '1s', '--heartbeat', '0.6s'), env());
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--heartbeat (600ms) must be at most half of --check-ttl (1s)');
  });

  it('a bare number where the flag once took one is read in its old unit, with a one-line warning', () => {
    const root = uniquePrefix('durations');
    const cell = baton(['--root', root, ...cellArgs('--check-ttl', '1500', '--heartbeat', '500')], env());
    expect(cell.status).toBe(0);
    expect(cell.stderr.trim().split('\n')).toEqual([
      'baton: warning: --check-ttl 1500 has no unit, read as 1500ms; write 1.5s (bare numbers are deprecated)',
      'baton: warning: --heartbeat 500 has no unit, read as 500ms; write 500ms (bare numbers are deprecated)',
    ]);
    // Read as 600 ms against a 1 s TTL, the heartbeat is refused: the number was taken in milliseconds.
    const tooSlow = baton(['--root', root, ...cellArgs('--check-ttl', '1000', '--heartbeat', '600')], env());
    expect(tooSlow.status).toBe(2);
    const stepDown = baton(['--root', root, 'step-down', 'd', '--reason', 'test', '--wait', '15'], env());
    expect(stepDown.status).toBe(1);
    expect(stepDown.stderr.split('\n')[0]).toBe(
      'baton: warning: --wait 15 has no unit, read as 15s; write 15s (bare numbers are deprecated)',
    );
  });

  it('controller --resync: a bare number is seconds (warned); 1.5s starts the replica', async () => {
    for (const [value, warning] of [
      ['30', 'baton: warning: --resync 30 has no unit, read as 30s; write 30s (bare numbers are deprecated)'],
      ['1.5s', undefined],
    ] as const) {
      const layout = new KvLayout(uniquePrefix('durations'));
      const child = processes.start(
        ['--root', layout.root, 'controller', '--http', 'off', '--resync', value, '--cell-retention', '2h'],
        env(),
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // The flags were taken once the replica campaigns and wins the controllers' lock.
      await vi.waitFor(
        async () => {
          const { value: held } = await consul
            .get()
            .client.kv.get(layout.locks.singleton(CONTROLLER_SINGLETON));
          expect(held?.session).toBeDefined();
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(
        stderr
          .trim()
          .split('\n')
          .filter((line) => line.startsWith('baton:')),
      ).toEqual(warning === undefined ? [] : [warning]);
    }
  });

  it('flags that always took durations refuse a bare number (it never had a meaning there)', () => {
    for (const argv of [
      ['run', '--singleton', 'd', '--check-ttl', 'VALUE', '--', 'true'],
      ['controller', '--http', 'off', '--lock-retention', 'VALUE'],
      ['wait', 'singleton/d', '--for', 'delete', '--timeout', 'VALUE'],
    ]) {
      const result = baton(withValue(argv, '30'), env());
      expect({ argv, status: result.status }).toEqual({ argv, status: 2 });
    }
  });

  it('the help shows each default as a duration', () => {
    const help = (command: string): string => baton([command, '--help'], env()).stdout.replace(/\s+/g, ' ');
    expect(help('cell')).toMatch(/--check-ttl <duration> [^-]*\(default: "1\.5s"\)/);
    expect(help('controller')).toMatch(/--resync <duration> [^-]*\(default: "30s"\)/);
    expect(help('controller')).toMatch(/--cell-retention <duration> [^-]*\(default: "24h"\)/);
    expect(help('step-down')).toMatch(/--wait <duration> [^-]*\(default: "15s"\)/);
    expect(help('run')).toMatch(/--check-ttl <duration> [^-]*\(default 1s\)/);
  });
});
