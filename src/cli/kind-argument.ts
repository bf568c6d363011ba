import { findKind, KINDS, type KindDefinition } from '../api/kinds.js';
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
