import type { Command } from 'commander';
import { KINDS } from '../../api/kinds.js';
import { CliError, ExitCode } from '../exit.js';

/** Commands whose first argument is a resource type. */
const TYPED = ['get', 'describe', 'delete'];

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(baton completion bash), or zsh')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') {
        throw new CliError(`completion supports bash and zsh, got "${shell}"`, ExitCode.usage);
      }
      process.stdout.write(completionScript(program, shell));
    });
}

/**
 * One bash function (zsh loads it through bashcompinit) built from the program itself, so it never drifts
 * from the commands: commands, their flags, the global flags, and resource types after get/describe/delete.
 */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const flagsOf = (command: Command): string =>
    command.options.flatMap((option) => [option.long, option.short].filter((f) => f !== undefined)).join(' ');
  const commands = program.commands.map((command) => command.name());
  const types = ['locks', ...KINDS.flatMap((kind) => [kind.plural, kind.singular])].join(' ');
  const cases = program.commands
    .map((command) => `    ${command.name()}) flags="${flagsOf(command)} --help" ;;`)
    .join('\n');
  const bash = `# baton completion (bash): source <(baton completion bash)
_baton() {
  local cur=\${COMP_WORDS[COMP_CWORD]} sub="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in -*) ;; *) sub=\${COMP_WORDS[i]}; break ;; esac
  done
  local flags="${flagsOf(program)} --version --help"
  case $sub in
${cases}
  esac
  if [[ -z $sub ]]; then
    COMPREPLY=($(compgen -W "${commands.join(' ')} $flags" -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ " ${TYPED.join(' ')} " == *" $sub "* && \${COMP_WORDS[COMP_CWORD-1]} == "$sub" ]]; then
    COMPREPLY=($(compgen -W "${types}" -- "$cur"))
  fi
}
complete -F _baton baton
`;
  return shell === 'bash'
    ? bash
    : `#compdef baton\n# baton completion (zsh): source <(baton completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}
