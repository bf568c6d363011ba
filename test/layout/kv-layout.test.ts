import { SHARDS, shardOf } from '../../src/layout/shards.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { aclPolicyTemplate, ACL_ROLES, renderAclPolicy } from '../../src/layout/acl-policy.js';
import { resolveRoot } from '../../src/layout/root.js';
import { candidateSessionName, parseCandidateSessionName } from '../../src/layout/session-names.js';

describe('KvLayout: every key family under one root', () => {
  const layout = new KvLayout('team-a/baton');

  it.each([
    ['singleton lock', layout.locks.singleton('converger'), 'team-a/baton/locks/converger'],
    ['exclusive lock', layout.locks.resource('Backup.1'), 'team-a/baton/locks/exclusive/Backup.1'],
    ['record spec', layout.singletons.spec('converger'), 'team-a/baton/singletons/converger/spec'],
    ['step-down', layout.singletons.stepDown('converger'), 'team-a/baton/singletons/converger/step-down'],
    ['cell status', layout.cells.status('cell-1'), `team-a/baton/cells/${shardOf('cell-1')}/cell-1/status`],
    [
      'presence key',
      layout.presence.cell('cell-1'),
      `team-a/baton/presence/${shardOf('cell-1')}/cells/cell-1`,
    ],
    ['event head', layout.events('presence').head, 'team-a/baton/events/presence/head'],
    ['event entry', layout.events('presence').entry(42), 'team-a/baton/events/presence/log/0000000000000042'],
  ])('%s', (_family, key, expected) => {
    expect(key).toBe(expected);
    expect(key.startsWith(layout.prefix)).toBe(true);
  });

  it('parses lock keys back to their owner, and a singleton named "exclusive" does not collide', () => {
    expect(layout.locks.parse(layout.locks.singleton('exclusive'))).toEqual({
      kind: 'singleton',
      name: 'exclusive',
    });
    expect(layout.locks.parse(layout.locks.resource('R1'))).toEqual({ kind: 'resource', name: 'R1' });
    expect(layout.locks.parse('team-a/baton/locks/a/b')).toBeUndefined();
    expect(layout.locks.parse('baton/v1/locks/converger')).toBeUndefined();
  });

  it('names the record a key belongs to', () => {
    expect(layout.singletons.nameOf(layout.singletons.stepDown('x'))).toBe('x');
    expect(layout.singletons.nameOf('team-a/baton/cells/x/spec')).toBeUndefined();
  });

  it('files Cell records under the shard of the cell id, the same shard as its presence keys', () => {
    const cells = layout.cells;
    expect(cells.sharded).toBe(true);
    expect(layout.singletons.sharded).toBe(false);
    expect(layout.singletons.watchPrefixes).toEqual(['team-a/baton/singletons/']);
    expect(cells.watchPrefixes).toEqual(SHARDS.map((shard) => `team-a/baton/cells/${shard}/`));
    for (const id of ['cell-1', 'cell-2', 'a', 'zone-b-host-17']) {
      expect(cells.spec(id)).toBe(`team-a/baton/cells/${layout.presence.shardOf(id)}/${id}/spec`);
      expect(cells.parse(cells.status(id))).toEqual({ name: id, part: 'status' });
      expect(cells.nameOf(cells.spec(id))).toBe(id);
      expect(cells.watchPrefixes.filter((prefix) => cells.spec(id).startsWith(prefix))).toHaveLength(1);
    }
  });

  it("ignores Cell record keys in another shard than their name's, and the unsharded layout of old", () => {
    const cells = layout.cells;
    const wrong = SHARDS.find((shard) => shard !== shardOf('cell-1'));
    expect(cells.parse(`team-a/baton/cells/${wrong}/cell-1/spec`)).toBeUndefined();
    expect(cells.nameOf(`team-a/baton/cells/${wrong}/cell-1/spec`)).toBeUndefined();
    expect(cells.parse('team-a/baton/cells/cell-1/spec')).toBeUndefined();
    expect(cells.parse(`team-a/baton/cells/${shardOf('spec')}/spec`)).toBeUndefined();
    expect(cells.parse(`${cells.recordPrefix('cell-1')}extra`)).toBeUndefined();
  });

  it.each(['Bad Name', 'a.b', 'UPPER', '-x', ''])('refuses singleton name %j with a coded error', (name) => {
    expect(() => layout.locks.singleton(name)).toThrow(ConfigError);
  });

  it.each(['a/b', '', '.x', 'x y'])('refuses resource name %j', (resource) => {
    expect(() => layout.locks.resource(resource)).toThrow(ConfigError);
  });

  it.each(['/abs', 'a//b', 'a/../b', 'sp ace', ''])('refuses root %j', (root) => {
    expect(() => new KvLayout(root)).toThrow(ConfigError);
  });

  it('takes the root from the flag, else BATON_ROOT, else the default; a trailing slash is dropped', () => {
    expect(resolveRoot(undefined, {})).toBe('baton/v1');
    expect(resolveRoot(undefined, { BATON_ROOT: 'staging/baton/' })).toBe('staging/baton');
    expect(resolveRoot('prod', { BATON_ROOT: 'staging' })).toBe('prod');
  });
});

describe('candidate session names', () => {
  it('round-trip, carrying the lock key so two roots never mix', () => {
    const name = candidateSessionName('team-a/baton/locks/converger', 'host-1:42 (blue)');
    expect(parseCandidateSessionName(name)).toEqual({
      lockKey: 'team-a/baton/locks/converger',
      identity: 'host-1:42 (blue)',
    });
    expect(parseCandidateSessionName('baton cell cell-1')).toBeUndefined();
  });
});

describe('ACL policy templates', () => {
  it.each(ACL_ROLES)('%s renders for a root with no placeholder left', (role) => {
    const rendered = renderAclPolicy(aclPolicyTemplate(role), {
      root: 'team-a/baton',
      node: 'worker-1',
      name: 'converger',
      resource: 'backup',
      cell: 'cell-1',
    });
    expect(rendered).not.toMatch(/\{\{/);
    const rules = rendered.split('\n').filter((line) => !line.startsWith('#'));
    expect(rules.join('\n')).not.toContain('baton/v1');
    expect(rendered).toContain('team-a/baton/');
  });

  it('refuses a missing placeholder value and a value outside the key grammar', () => {
    expect(() => renderAclPolicy(aclPolicyTemplate('cell'), { node: 'w' })).toThrow(/\{\{cell\}\}/);
    expect(() =>
      renderAclPolicy(aclPolicyTemplate('singleton-candidate'), { node: 'w', name: 'a/../../x' }),
    ).toThrow(ConfigError);
  });

  it('every key a role is granted lies under the rendered root', () => {
    for (const role of ACL_ROLES) {
      const rendered = renderAclPolicy(aclPolicyTemplate(role), {
        root: 'r',
        node: 'n',
        name: 's',
        resource: 'x',
        cell: 'c',
      });
      const keys = [...rendered.matchAll(/^key(?:_prefix)? "([^"]*)"/gm)].map((match) => match[1]);
      expect(keys.length, role).toBeGreaterThan(0);
      for (const key of keys) expect(key?.startsWith('r/'), `${role}: ${key}`).toBe(true);
    }
  });
});
