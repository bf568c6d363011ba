import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryLine } from '../history.js';

/**
 * The campaign's folder of per-process history files (`*.jsonl`, one JSON line per append, written with
 * O_APPEND by workers and by the campaign itself), and the merge into one history sorted by `t`.
 */
export class HistoryFiles {
  constructor(readonly dir: string) {}

  /** The file a worker slot appends to. */
  fileFor(slot: string): string {
    return join(this.dir, `${slot}.jsonl`);
  }

  /** Append one line to the campaign's own file. */
  write(line: HistoryLine): void {
    appendFileSync(this.fileFor('campaign'), `${JSON.stringify(line)}\n`);
  }

  /** Every line of every file, sorted by `t` (a torn last line of a killed writer is skipped). */
  merge(): HistoryLine[] {
    const lines: HistoryLine[] = [];
    for (const name of readdirSync(this.dir).filter((file) => file.endsWith('.jsonl'))) {
      for (const text of readFileSync(join(this.dir, name), 'utf8').split('\n')) {
        if (text === '') continue;
        try {
          lines.push(JSON.parse(text) as HistoryLine);
        } catch {
          // A process SIGKILLed mid-write can leave a partial line; it recorded nothing complete.
        }
      }
    }
    return lines.sort((a, b) => a.t - b.t);
  }
}
