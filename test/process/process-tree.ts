import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConsulClient } from '../../src/consul/client.js';
import { EventLog } from '../../src/events/event-log.js';
import { processAlive, readStat, signalGroup } from '../../src/process/process-group.js';
import type { PresenceEvent } from '../../src/presence/presence-event.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';

const ACTOR = resolve(import.meta.dirname, '../fixtures/draining-actor.mjs');

export interface Act {
  readonly event: 'start' | 'act' | 'draining' | 'exit';
  readonly pid: number;
  readonly ppid: number;
  readonly token: string;
  readonly at: number;
  /** CLOCK_MONOTONIC nanoseconds, comparable across processes on this host. */
  readonly mono: bigint;
}

/** The acts of every grandchild worker of one test, appended to one file. */
export class ActsLog {
  readonly file = join(mkdtempSync(join(tmpdir(), 'baton-acts-')), 'acts.jsonl');

  /**
   * A command that forks, as `npm start` or a JVM launcher does: a shell that starts the real worker in the
   * background and waits for it. The worker drains for `drainMs` after SIGTERM.
   */
  forkingCommand(drainMs = 1_000): string[] {
    return ['sh', '-c', `"${process.execPath}" "${ACTOR}" "${this.file}" ${drainMs} & wait`];
  }

  acts(): Act[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const raw = JSON.parse(line) as Omit<Act, 'mono'> & { mono: string };
        return { ...raw, mono: BigInt(raw.mono) };
      });
  }

  /** Acts of the worker(s) that ran with this fencing token (or cell incarnation). */
  actsOf(token: string): Act[] {
    return this.acts().filter((act) => act.token === token);
  }

  /** Tokens in the order their workers started. */
  tokens(): string[] {
    return [...new Set(this.acts().map((act) => act.token))];
  }

  /** The grandchild workers that have started so far. */
  workers(): Act[] {
    return this.acts().filter((act) => act.event === 'start');
  }

  /** SIGKILL whatever is left of every worker's group (test cleanup). */
  killAll(): void {
    for (const worker of this.workers()) {
      if (processAlive(worker.pid)) process.kill(worker.pid, 'SIGKILL');
      signalGroup(worker.ppid, 'SIGKILL');
    }
  }
}

export function lastMono(acts: readonly Act[]): bigint {
  return acts.reduce((max, act) => (act.mono > max ? act.mono : max), -1n);
}

export function firstMono(acts: readonly Act[]): bigint {
  return acts.reduce((min, act) => (min < 0n || act.mono < min ? act.mono : min), -1n);
}

/** Every presence event a watcher on the default key layout (the CLI's) commits, in order. */
export class PresenceRecorder {
  readonly seen: PresenceEvent[] = [];
  readonly #watcher: PresenceWatcher;

  private constructor(client: ConsulClient) {
    const eventLog = new EventLog({ client, stream: 'presence' });
    this.#watcher = new PresenceWatcher({ client, eventLog });
    this.#watcher.events.on((event) => this.seen.push(event));
  }

  static async start(client: ConsulClient): Promise<PresenceRecorder> {
    const recorder = new PresenceRecorder(client);
    await recorder.#watcher.start();
    return recorder;
  }

  typesFor(id: string): string[] {
    return this.seen.filter((e) => e.subject === id).map((e) => e.type);
  }

  /** Whether the cell's incarnation has ended, cleanly or not. */
  ended(id: string): boolean {
    return this.typesFor(id).some((t) => t === 'CellDeparted' || t === 'CellLost');
  }

  stop(): Promise<void> {
    return this.#watcher.stop();
  }
}

/** The children of a process, with their command lines, from /proc (Linux). */
export function childrenOf(ppid: number): { pid: number; args: string }[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && readStat(name)?.ppid === ppid)
    .map((name) => ({ pid: Number(name), args: commandLine(name) }));
}

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return ''; // exited while listed
  }
}
