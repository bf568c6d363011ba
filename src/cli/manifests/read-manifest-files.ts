import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, ExitCode } from '../exit.js';

/**
 * The text of every manifest named by `-f`: `-` for standard input, a file as is, a directory's `*.yaml`/`*.yml` files (not
 * recursive) in name order. A path that cannot be read is a usage error that names it.
 */
export async function readManifestFiles(paths: readonly string[]): Promise<{ file: string; text: string }[]> {
  const files: { file: string; text: string }[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push({ file: '<stdin>', text: await readStdin() });
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (cause: unknown) {
      throw new CliError(`cannot read ${path}: no such file or directory`, ExitCode.usage, { cause });
    }
    const names = isDirectory
      ? (await readdir(path))
          .filter((name) => /\.ya?ml$/i.test(name))
          .sort()
          .map((name) => join(path, name))
      : [path];
    if (isDirectory && names.length === 0) {
      throw new CliError(`${path} holds no .yaml or .yml files`, ExitCode.usage);
    }
    for (const file of names) files.push({ file, text: await readFile(file, 'utf8') });
  }
  return files;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
