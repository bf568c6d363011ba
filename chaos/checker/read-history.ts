import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BatonError } from '../../src/errors.js';
import type { HistoryLine } from '../history.js';
import { parseHistoryLine } from './history-schema.js';

/** A history file that is not JSON Lines of history lines: names the file and the 1-based line. */
export class HistoryFormatError extends BatonError {
  constructor(
    readonly file: string,
    readonly lineNumber: number,
    problem: string,
  ) {
    super('BATON_CHAOS_HISTORY', `${file}:${lineNumber}: ${problem}`);
  }
}

function decodeLine(file: string, lineNumber: number, text: string): HistoryLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw new HistoryFormatError(file, lineNumber, `not JSON (${String(error)})`);
  }
  const parsed = parseHistoryLine(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    return `${path}${issue.message}`;
  });
  throw new HistoryFormatError(file, lineNumber, problems.join('; '));
}

/**
 * Read a history file: JSON Lines, gzip-compressed when the name ends in `.gz`. Blank lines are skipped;
 * any other line must be a valid history line, else `HistoryFormatError` names it.
 */
export async function readHistory(file: string, signal?: AbortSignal): Promise<HistoryLine[]> {
  const raw = createReadStream(file, signal === undefined ? {} : { signal });
  let input: Readable = raw;
  if (file.endsWith('.gz')) {
    const gunzip = raw.pipe(createGunzip());
    raw.on('error', (error) => gunzip.destroy(error));
    input = gunzip;
  }
  const lines: HistoryLine[] = [];
  let lineNumber = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    lines.push(decodeLine(file, lineNumber, text));
  }
  return lines;
}
