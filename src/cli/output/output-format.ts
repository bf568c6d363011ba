import { CliError, ExitCode } from '../exit.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'name', 'json', 'yaml'] as const;

/** How `get` prints: a table (narrow or wide), `kind/name` lines, or whole records as JSON or YAML. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(text: string | undefined): OutputFormat {
  if (text === undefined) return 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw new CliError(`-o must be one of wide, name, json, yaml; got "${text}"`, ExitCode.usage);
}

/** What a watch reports for one object, as kubectl's `--output-watch-events` names it. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One object of a watch as one line of JSON (JSON Lines), so a script reads it with a line reader. */
export function jsonLine(type: WatchEventType, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}
