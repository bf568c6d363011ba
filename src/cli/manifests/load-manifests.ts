import type { BatonRecord } from '../../api/kinds.js';
import { CliError, ExitCode } from '../exit.js';
import { formatProblem, parseManifests } from './parse-manifests.js';
import { readManifestFiles } from './read-manifest-files.js';

/**
 * The records of the manifests `-f` names, all validated; otherwise every problem is printed on stderr as
 * `file:line:col: path: message` and nothing is returned (a CliError with `invalidExitCode`).
 */
export async function loadManifests(
  paths: readonly string[],
  invalidExitCode: number = ExitCode.failure,
): Promise<BatonRecord[]> {
  const { records, problems } = parseManifests(await readManifestFiles(paths));
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
    throw new CliError(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the manifests; nothing was applied`,
      invalidExitCode,
    );
  }
  if (records.length === 0) throw new CliError('the manifests hold no records', ExitCode.usage);
  return records.map((found) => found.record);
}
