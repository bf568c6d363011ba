import { findKind, KINDS, type KindDefinition } from '../api/kinds.js';
import { NameSchema } from '../api/metadata.js';
import { CliError, ExitCode } from './exit.js';

/** The kind a command's TYPE argument names (`singleton`, `singletons`, `Cell`…), or a usage error. */
export function kindArgument(text: string, allowed: readonly KindDefinition[] = KINDS): KindDefinition {
  const kind = findKind(text);
  if (kind === undefined || !allowed.includes(kind)) {
    const names = allowed.map((k) => k.plural).join(', ');
    throw new CliError(`unknown resource type "${text}": expected one of ${names}`, ExitCode.usage);
  }
  return kind;
}

/** A record name from the command line: a DNS label, or a usage error that says what is expected. */
export function nameArgument(text: string): string {
  const result = NameSchema.safeParse(text);
  if (!result.success) {
    throw new CliError(
      `"${text}" is not a record name: ${result.error.issues[0]?.message ?? 'invalid'}`,
      ExitCode.usage,
    );
  }
  return result.data;
}
