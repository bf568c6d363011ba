import { describe, expect, it } from 'vitest';
import { ACL_ROLES, aclPolicyTemplate, renderAclPolicy, type AclRole } from '../../src/layout/acl-policy.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { PRESENCE_STREAM } from '../../src/presence/presence-event.js';
import { SINGLETON_STREAM } from '../../src/singleton/singleton-events.js';

/** The values every policy is rendered with, and a second cell/singleton/resource that is someone else's. */
const VALUES = {
  root: 'team-a/baton',
  node: 'node-1',
  name: 'converger',
  resource: 'Backup.1',
  cell: 'cell-1',
};
const layout = new KvLayout(VALUES.root);

type Access = 'deny' | 'read' | 'write';
interface KeyRule {
  readonly exact: boolean;
  readonly path: string;
  readonly policy: Access | 'list';
}

/** The `key` and `key_prefix` rules of a rendered policy. */
function keyRules(hcl: string): KeyRule[] {
  const rules = [...hcl.matchAll(/^(key|key_prefix) "([^"]*)" \{\s*policy = "(\w+)"\s*\}/gm)];
  return rules.map(([, kind, path, policy]) => ({
    exact: kind === 'key',
    path: path ?? '',
    policy: (policy ?? 'deny') as KeyRule['policy'],
  }));
}

/** Consul's rule for a key: an exact `key` rule wins, else the longest matching `key_prefix`, else deny. */
function access(rules: readonly KeyRule[], key: string): Access {
  const exact = rules.find((rule) => rule.exact && rule.path === key);
  const prefix = rules
    .filter((rule) => !rule.exact && key.startsWith(rule.path))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const policy = (exact ?? prefix)?.policy ?? 'deny';
  return policy === 'list' ? 'read' : policy;
}

const POLICIES = new Map(
  ACL_ROLES.map((role) => [role, keyRules(renderAclPolicy(aclPolicyTemplate(role), VALUES))] as const),
);

/**
 * Every key family KvLayout defines, who writes it and who reads it. Records' specs and step-down requests
 * are written by operators (`baton apply`, `step-down`) with tokens of their own: no shipped role writes
 * them but the controller, whose grant is the whole installation (it deletes retired records).
 */
const FAMILIES: readonly { family: string; key: string; write: AclRole[]; read: AclRole[] }[] = [
  {
    family: 'singleton spec',
    key: layout.singletons.spec(VALUES.name),
    write: ['controller'],
    read: ['singleton-candidate', 'operator-readonly'],
  },
  {
    family: 'singleton status',
    key: layout.singletons.status(VALUES.name),
    write: ['controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'step-down request',
    key: layout.singletons.stepDown(VALUES.name),
    write: ['controller'],
    read: ['singleton-candidate', 'operator-readonly'],
  },
  {
    family: 'cell spec',
    key: layout.cells.spec(VALUES.cell),
    write: ['controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'cell status',
    key: layout.cells.status(VALUES.cell),
    write: ['controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'singleton lock',
    key: layout.locks.singleton(VALUES.name),
    write: ['singleton-candidate', 'controller'],
    read: ['operator-readonly'],
  },
  {
    family: "the controller's lock",
    key: layout.locks.singleton('baton-controller'),
    write: ['controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'exclusive lock',
    key: layout.locks.resource(VALUES.resource),
    write: ['exclusive', 'controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'presence key',
    key: layout.presence.cell(VALUES.cell),
    write: ['cell', 'controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'departure',
    key: layout.presence.departure(VALUES.cell, 'inc-1'),
    write: ['cell', 'controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'incarnation',
    key: layout.presence.incarnation(VALUES.cell, 'inc-1'),
    write: ['cell', 'controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'known record',
    key: layout.presence.known(VALUES.cell),
    write: ['controller'],
    read: ['operator-readonly'],
  },
  {
    family: 'outcome',
    key: layout.presence.outcome(VALUES.cell),
    write: ['controller'],
    read: ['operator-readonly'],
  },
  ...[PRESENCE_STREAM, SINGLETON_STREAM].flatMap((stream) => [
    {
      family: `${stream} event head`,
      key: layout.events(stream).head,
      write: ['controller'] as AclRole[],
      read: ['operator-readonly'] as AclRole[],
    },
    {
      family: `${stream} event entry`,
      key: layout.events(stream).entry(7),
      write: ['controller'] as AclRole[],
      read: ['operator-readonly'] as AclRole[],
    },
  ]),
];

/** Keys of the same families that belong to another cell, singleton or resource: the scoped roles' neighbours. */
const NEIGHBOURS = [
  layout.presence.cell('cell-10'),
  layout.presence.departure('cell-10', 'inc-1'),
  layout.presence.incarnation('cell-10', 'inc-1'),
  layout.locks.singleton('converger-2'),
  layout.locks.resource('Backup.10'),
  layout.singletons.stepDown('converger-2'),
];

describe('manifests/acl/ against the key map (KvLayout)', () => {
  it.each(FAMILIES)('$family: granted to the roles that write and read it, to no other writer', (row) => {
    for (const role of ACL_ROLES) {
      const granted = access(POLICIES.get(role) ?? [], row.key);
      if (row.write.includes(role)) expect(granted, `${role} writes ${row.key}`).toBe('write');
      else expect(granted, `${role} must not write ${row.key}`).not.toBe('write');
      if (row.read.includes(role)) expect(granted, `${role} reads ${row.key}`).not.toBe('deny');
    }
  });

  it("scoped roles get nothing of a neighbour's keys (cell-1 is not cell-10)", () => {
    for (const role of ['cell', 'singleton-candidate', 'exclusive'] as const) {
      for (const key of NEIGHBOURS)
        expect(access(POLICIES.get(role) ?? [], key), `${role}: ${key}`).toBe('deny');
    }
  });

  it('grants no key outside the layout: every rule names a layout key or a folder of one', () => {
    const keys = FAMILIES.map((row) => row.key);
    for (const [role, rules] of POLICIES) {
      expect(rules.length, role).toBeGreaterThan(0);
      for (const rule of rules) {
        const inLayout = rule.exact
          ? keys.includes(rule.path)
          : rule.path.endsWith('/') &&
            rule.path.startsWith(layout.prefix) &&
            keys.some((key) => key.startsWith(rule.path));
        expect(inLayout, `${role}: ${rule.exact ? 'key' : 'key_prefix'} "${rule.path}"`).toBe(true);
      }
    }
  });

  it('reads the policies the way Consul does (exact rule first, then the longest prefix)', () => {
    const rules: KeyRule[] = [
      { exact: false, path: 'r/', policy: 'read' },
      { exact: false, path: 'r/a/', policy: 'write' },
      { exact: true, path: 'r/a/b', policy: 'deny' },
    ];
    expect(access(rules, 'r/x')).toBe('read');
    expect(access(rules, 'r/a/c')).toBe('write');
    expect(access(rules, 'r/a/b')).toBe('deny');
    expect(access(rules, 'q/x')).toBe('deny');
  });
});
