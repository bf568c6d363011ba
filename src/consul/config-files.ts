import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Files named by Consul's client settings (CA, client pair, token), read once when the client is built.
 * Every failure is a one-line `ConfigError` that names the setting (`source`, e.g. `CONSUL_CACERT`).
 */

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Read a file a setting names; `what` says what the file should be, for the message. */
export function readSettingFile(source: string, path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `cannot read ${source}=${path} (${reason(cause)}): point it at a readable ${what}`,
      {
        cause,
      },
    );
  }
}

/** A PEM file of one or more certificates (a CA bundle or a client certificate). */
export function readCertificateFile(source: string, path: string): string {
  const text = readSettingFile(source, path, 'PEM certificate file');
  if (!text.includes(PEM_CERTIFICATE)) {
    throw new ConfigError(`${source}=${path} holds no PEM certificate (no "${PEM_CERTIFICATE}" line)`);
  }
  return text;
}

/** A PEM private key (PKCS#1, PKCS#8 or EC, as `consul tls cert create` writes). */
export function readPrivateKeyFile(source: string, path: string): string {
  const text = readSettingFile(source, path, 'PEM private key file');
  if (!PEM_PRIVATE_KEY.test(text)) {
    throw new ConfigError(
      `${source}=${path} holds no PEM private key (no "-----BEGIN ... PRIVATE KEY-----")`,
    );
  }
  return text;
}

/**
 * Every file under a directory (recursively, as Consul's go-rootcerts walks `CONSUL_CAPATH`), each a PEM
 * certificate, concatenated into one bundle. A file that is not a certificate is an error, as in Consul.
 */
export function readCertificateDirectory(source: string, dir: string): string {
  const files = listFiles(source, dir);
  if (files.length === 0)
    throw new ConfigError(`${source}=${dir} holds no certificate file: add the CA's PEM`);
  return files.map((file) => readCertificateFile(`${source} file`, file)).join('\n');
}

function listFiles(source: string, dir: string): string[] {
  if (!isDirectory(source, dir)) {
    throw new ConfigError(`${source}=${dir} is not a directory: use CONSUL_CACERT for a single file`);
  }
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (cause) {
    throw unreadableDirectory(source, dir, cause);
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return isDirectory(source, path) ? listFiles(source, path) : [path];
  });
}

function isDirectory(source: string, path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (cause) {
    throw unreadableDirectory(source, path, cause);
  }
}

function unreadableDirectory(source: string, path: string, cause: unknown): ConfigError {
  const hint = `point ${source} at a readable directory of PEM certificates`;
  return new ConfigError(`cannot read ${path} from ${source} (${reason(cause)}): ${hint}`, { cause });
}

/** A token file: trimmed like Consul does; an empty one is an error rather than a silent anonymous token. */
export function readTokenFile(source: string, path: string): string {
  const token = readSettingFile(source, path, 'file holding the ACL token').trim();
  if (token === '')
    throw new ConfigError(`${source}=${path} is empty: write the ACL token's SecretID into it`);
  return token;
}

function reason(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : String(cause);
}
