import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { assertResourceName, assertSingletonName } from './names.js';
import { shardOf } from './shards.js';
import { DEFAULT_ROOT, validateRoot } from './root.js';

/** The roles `manifests/acl/` has a least-privilege policy for. */
export const ACL_ROLES = [
  'controller',
  'singleton-candidate',
  'exclusive',
  'cell',
  'operator-readonly',
] as const;
export type AclRole = (typeof ACL_ROLES)[number];

/** Values for a policy template's placeholders; `root` defaults to the default root. */
export interface AclPolicyValues {
  readonly root?: string;
  /** The Consul agent node the process talks to. */
  readonly node?: string;
  /** The singleton (`singleton-candidate`). */
  readonly name?: string;
  /** The resource (`exclusive`). */
  readonly resource?: string;
  /** The cell id (`cell`). */
  readonly cell?: string;
}

const MANIFESTS = fileURLToPath(new URL('../../manifests/acl/', import.meta.url));

/** The shipped template of a role's policy (`manifests/acl/<role>.hcl`). */
export function aclPolicyTemplate(role: AclRole): string {
  return readFileSync(`${MANIFESTS}${role}.hcl`, 'utf8');
}

/**
 * Fill a policy template's `{{placeholders}}`, checking each value with the same grammar the keys use; a
 * placeholder without a value is a ConfigError naming it.
 */
export function renderAclPolicy(template: string, values: AclPolicyValues): string {
  const checked: Readonly<Record<string, string | undefined>> = {
    root: validateRoot(values.root ?? DEFAULT_ROOT),
    node: values.node,
    name: values.name === undefined ? undefined : assertSingletonName(values.name),
    resource: values.resource === undefined ? undefined : assertResourceName(values.resource),
    cell: values.cell,
    // Derived, never given: the presence shard the cell's keys live in.
    shard: values.cell === undefined ? undefined : shardOf(values.cell),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_match, placeholder: string) => {
    const value = checked[placeholder];
    if (value === undefined || value === '') {
      const flag = placeholder === 'shard' ? 'cell' : placeholder;
      throw new ConfigError(`the policy needs a value for {{${placeholder}}} (--${flag})`);
    }
    return value;
  });
}
