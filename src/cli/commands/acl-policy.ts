import type { Command } from 'commander';
import { ACL_ROLES, aclPolicyTemplate, renderAclPolicy, type AclRole } from '../../layout/acl-policy.js';
import { CliError, ExitCode } from '../exit.js';
import { layoutFromCommand } from '../global-options.js';

interface AclPolicyFlags {
  readonly node?: string;
  readonly name?: string;
  readonly resource?: string;
  readonly cell?: string;
}

export function registerAclPolicy(program: Command): void {
  program
    .command('acl-policy')
    .description("print a role's least-privilege Consul ACL policy, rendered for this root (manifests/acl/)")
    .argument('<role>', ACL_ROLES.join(', '))
    .option('--node <node>', 'the Consul agent node the process talks to')
    .option('--name <singleton>', 'the singleton (singleton-candidate)')
    .option('--resource <resource>', 'the resource (exclusive)')
    .option('--cell <id>', 'the cell id (cell)')
    .action((role: string, flags: AclPolicyFlags, command: Command) => {
      if (!(ACL_ROLES as readonly string[]).includes(role)) {
        throw new CliError(`unknown role "${role}": one of ${ACL_ROLES.join(', ')}`, ExitCode.usage);
      }
      const { root } = layoutFromCommand(command);
      process.stdout.write(renderAclPolicy(aclPolicyTemplate(role as AclRole), { root, ...flags }));
    });
}
