import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CliError, ExitCode } from './exit.js';

/**
 * Find the command `run`, `lock` and `cell` will start, before they campaign or register: a typo must not
 * take a lock, burn a fencing token or produce a CellLost. Like a shell: a name with a `/` is a path, any
 * other name is looked up in PATH; not found exits 127, found but not executable 126, in one line.
 */
export function resolveCommand(file: string, path: string = process.env['PATH'] ?? ''): string {
  if (file.includes('/')) {
    const verdict = executable(file);
    if (verdict === 'ok') return file;
    throw verdict === 'missing'
      ? new CliError(`${file}: no such file or directory`, ExitCode.notFound)
      : new CliError(`${file}: permission denied (not an executable file)`, ExitCode.notExecutable);
  }
  let denied: string | undefined;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, file);
    const verdict = executable(candidate);
    if (verdict === 'ok') return candidate;
    if (verdict === 'denied') denied ??= candidate;
  }
  if (denied !== undefined) {
    throw new CliError(`${denied}: permission denied (not an executable file)`, ExitCode.notExecutable);
  }
  throw new CliError(`${file}: command not found in PATH`, ExitCode.notFound);
}

function executable(candidate: string): 'ok' | 'missing' | 'denied' {
  try {
    if (statSync(candidate).isDirectory()) return 'denied';
  } catch {
    return 'missing';
  }
  try {
    accessSync(candidate, constants.X_OK);
    return 'ok';
  } catch {
    return 'denied';
  }
}
