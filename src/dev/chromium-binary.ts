import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { BatonError } from '../errors.js';
import { findOnPath } from './go-tool.js';

const run = promisify(execFile);

/** The Debian package that provides a headless-capable Chromium (`/usr/bin/chromium`). */
export const CHROMIUM_PACKAGE = 'chromium';

export class ChromiumBinaryError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BATON_CHROMIUM_BINARY', message, options);
  }
}

const KNOWN_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function findInstalled(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of KNOWN_NAMES) {
    const found = findOnPath(name, env) ?? (existsSync(`/usr/bin/${name}`) ? `/usr/bin/${name}` : undefined);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `apt-get` as root, else through `sudo -n` (never a password prompt: a test run has no terminal). */
async function aptGet(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const apt = findOnPath('apt-get', env);
  if (apt === undefined) throw new Error('apt-get is not on PATH');
  const asRoot = process.getuid?.() === 0;
  const [command, argv] = asRoot ? [apt, [...args]] : ['sudo', ['-n', apt, ...args]];
  await run(command, argv, {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * The browser the status-page test drives: `CHROME_BIN`, else a Chromium on PATH or in /usr/bin, else
 * Debian's `chromium` package installed with apt-get (refreshing the package lists once if the first try
 * fails). Browser downloads of Playwright or Puppeteer are not used: only package registries are reachable.
 */
export async function locateChromium(
  options: { readonly env?: NodeJS.ProcessEnv; readonly log?: (line: string) => void } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const explicit = env['CHROME_BIN'];
  if (explicit !== undefined && explicit !== '') {
    if (!existsSync(explicit)) throw new ChromiumBinaryError(`CHROME_BIN=${explicit} does not exist`);
    return explicit;
  }
  const installed = findInstalled(env);
  if (installed !== undefined) return installed;
  options.log?.(`installing Debian's ${CHROMIUM_PACKAGE} package with apt-get`);
  try {
    try {
      await aptGet(['install', '-y', '--no-install-recommends', CHROMIUM_PACKAGE], env);
    } catch {
      options.log?.('apt-get install failed; refreshing the package lists and trying again');
      await aptGet(['update'], env);
      await aptGet(['install', '-y', '--no-install-recommends', CHROMIUM_PACKAGE], env);
    }
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? String(cause);
    throw new ChromiumBinaryError(
      `cannot install Chromium (${stderr}): run \`apt-get install -y ${CHROMIUM_PACKAGE}\` as root, or set CHROME_BIN to a Chromium or Chrome binary`,
      { cause },
    );
  }
  const after = findInstalled(env);
  if (after === undefined)
    throw new ChromiumBinaryError(
      `apt-get installed ${CHROMIUM_PACKAGE} but no chromium binary is on PATH: set CHROME_BIN to it`,
    );
  return after;
}
