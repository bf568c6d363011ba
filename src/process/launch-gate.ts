import { BatonError, ErrorCode } from '../errors.js';

/**
 * A command forked ahead of time and held at a gate: `sh` blocked on a `read` of fd 3 (a pipe from the
 * supervisor, not the command's stdin) until the supervisor writes the variables known only after the
 * acquire, then `exec`s the command in the same process (same pid, same process group, same parent-death
 * signal). Anything but a complete message ending in `go` (the pipe closed early, the supervisor dead, a
 * malformed line) makes it exit 125 without running anything.
 */
const GATE_SCRIPT = [
  'while IFS= read -r line <&3; do',
  '  case $line in',
  '    go) exec 3<&-; exec "$@" ;;',
  '    BATON_[A-Z_]*=*) export "$line" || exit 125 ;;',
  '    *) exit 125 ;;',
  '  esac',
  'done',
  'exit 125',
].join('\n');

/** The exit code of a gate closed without `go`: the command never ran. */
export const GATE_CLOSED_EXIT = 125;

/** The argv that runs `command args` behind the gate. */
export function gatedArgv(command: string, args: readonly string[]): [string, string[]] {
  return ['/bin/sh', ['-c', GATE_SCRIPT, 'baton-launch', command, ...args]];
}

/** The message that opens the gate: one `NAME=value` line per variable, then `go`. */
export function gateMessage(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([name, value]) => {
    if (!/^BATON_[A-Z_]+$/.test(name) || value.includes('\n'))
      throw new BatonError(ErrorCode.InvalidArgument, `cannot pass ${name} through the launch gate`);
    return `${name}=${value}\n`;
  });
  return `${lines.join('')}go\n`;
}
