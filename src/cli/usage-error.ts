import type { Command, CommanderError } from 'commander';

/**
 * The one line a usage mistake prints, like kubectl: `baton: <what> (see baton <cmd> --help)`, never the
 * whole help text. `argv` names the command the mistake was made in (its first subcommand word).
 */
export function usageLine(what: string, program: Command, argv: readonly string[]): string {
  const names = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]));
  const command = argv.find((word) => names.has(word));
  return `baton: ${what} (see baton ${command === undefined ? '' : `${command} `}--help)\n`;
}

/** Commander's message without its `error: ` prefix. */
export function commanderWhat(error: CommanderError): string {
  return error.message.replace(/^error: /, '');
}
