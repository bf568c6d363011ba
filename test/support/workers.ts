import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/main.js');
const WRITER = join(ROOT, 'test/fixtures/fenced-writer.mjs');

export interface WorkerRecord {
  readonly event: 'start' | 'stop' | 'attempt';
  readonly token: number;
  readonly identity: string;
  readonly pid: number;
  readonly at: number;
  readonly accepted?: boolean;
}

/** A shared fenced resource and the attempt log of every worker process writing to it. */
export class WorkerLab {
  readonly attemptsFile: string;
  readonly candidates = new Map<string, ChildProcess>();

  constructor(
    readonly singleton: string,
    readonly resourceKey: string,
  ) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
    this.attemptsFile = join(mkdtempSync(join(tmpdir(), 'baton-workers-')), 'attempts.jsonl');
  }

  /** Start `baton run` for this singleton with the fenced writer as its command. */
  startCandidate(identity: string, consulAddr: string, extraArgs: readonly string[] = []): ChildProcess {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--singleton',
        this.singleton,
        '--identity',
        identity,
        ...extraArgs,
        '--',
        process.execPath,
        WRITER,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          CONSUL_HTTP_ADDR: consulAddr,
          RESOURCE_KEY: this.resourceKey,
          ATTEMPTS_FILE: this.attemptsFile,
          BATON_LOG_LEVEL: 'warn',
        },
      },
    );
    child.stderr.resume();
    this.candidates.set(identity, child);
    return child;
  }

  records(): WorkerRecord[] {
    if (!existsSync(this.attemptsFile)) return [];
    return readFileSync(this.attemptsFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as WorkerRecord);
  }

  starts(): WorkerRecord[] {
    return this.records().filter((r) => r.event === 'start');
  }

  /** Worker terms in start order, with the span of time each one acted. */
  terms(): { token: number; identity: string; pid: number; start: number; lastActed: number }[] {
    const records = this.records();
    return this.starts().map((start) => ({
      token: start.token,
      identity: start.identity,
      pid: start.pid,
      start: start.at,
      lastActed: Math.max(
        start.at,
        ...records.filter((r) => r.pid === start.pid && r.event === 'attempt').map((r) => r.at),
      ),
    }));
  }

  /** Pairs of terms where a later worker started while an earlier one was still acting. */
  overlaps(): string[] {
    const terms = this.terms().sort((a, b) => a.token - b.token);
    const problems: string[] = [];
    for (const [i, earlier] of terms.entries()) {
      for (const later of terms.slice(i + 1)) {
        if (later.start <= earlier.lastActed) {
          problems.push(
            `token ${later.token} started ${earlier.lastActed - later.start} ms before token ${earlier.token} stopped acting`,
          );
        }
      }
    }
    return problems;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.candidates.values()].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              done();
              return;
            }
            child.once('exit', () => done());
            child.kill('SIGCONT');
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000);
          }),
      ),
    );
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
