import { readdirSync, readFileSync } from 'node:fs';
import { readStat } from '../../src/process/process-group.js';

/**
 * Process trees read from /proc (Linux), for faults on a supervisor's whole tree and for cleanup: a
 * worker's grandchildren live in process groups of their own, and orphans are found by an env tag.
 */

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every descendant of `pid` (children first, then theirs), not `pid` itself. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const candidate of allPids()) {
    const parent = readStat(candidate)?.ppid;
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), candidate]);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const direct = children.get(next) ?? [];
    found.push(...direct);
    queue.push(...direct);
  }
  return found;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Processes whose environment carries `name=value` (every process a campaign starts carries its tag). */
export function taggedProcesses(name: string, value: string): number[] {
  const needle = `\0${name}=${value}\0`;
  return allPids().filter((pid) => {
    try {
      return `\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}`.includes(needle);
    } catch {
      return false;
    }
  });
}

/** Send `signal` to each pid, ignoring the ones already gone. */
export function signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already exited.
    }
  }
}

/** SIGKILL a process and all its descendants; frozen first, so none can fork or react in between. */
export function killTree(pid: number): number[] {
  const tree = [pid, ...descendants(pid)];
  signalEach(tree, 'SIGSTOP');
  const late = descendants(pid).filter((p) => !tree.includes(p));
  signalEach([...tree, ...late], 'SIGKILL');
  return [...tree, ...late];
}
