import { ConfigError } from '../errors.js';
import { NameSchema } from '../api/metadata.js';

/**
 * The one name grammar. Singleton names are record names (a DNS label, so every singleton can have a
 * `Singleton` record); resources of exclusive operations and event streams are plain KV path segments.
 */
export function assertSingletonName(name: string): string {
  const parsed = NameSchema.safeParse(name);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? 'invalid name';
    throw new ConfigError(`singleton name "${name}": ${reason}`);
  }
  return name;
}

const SEGMENT = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

/** A resource of an exclusive operation (`baton lock RESOURCE`): one KV path segment, case kept. */
export function assertResourceName(resource: string): string {
  if (!SEGMENT.test(resource)) {
    throw new ConfigError(
      `resource name "${resource}" must be 1-128 letters, digits, ".", "_" or "-", ` +
        'starting and ending with a letter or digit',
    );
  }
  return resource;
}

/** An event stream (`presence`, `singletons`): one KV path segment. */
export function assertStreamName(stream: string): string {
  if (!SEGMENT.test(stream)) {
    throw new ConfigError(`event stream name "${stream}" must be letters, digits, ".", "_" or "-"`);
  }
  return stream;
}
