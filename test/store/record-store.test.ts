import { describe, expect, it } from 'vitest';
import { SingletonKind } from '../../src/api/kinds.js';
import type { Singleton } from '../../src/api/singleton.js';
import { CasConflictError } from '../../src/consul/errors.js';
import { ApplyConflictError, applyRecords, commitApply, planApply } from '../../src/store/apply-records.js';
import { RecordNotFoundError } from '../../src/store/errors.js';
import { RecordStore } from '../../src/store/record-store.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

function singleton(
  name: string,
  spec: Partial<Singleton['spec']> = {},
  labels: Record<string, string> = {},
): Singleton {
  return {
    apiVersion: 'baton/v1',
    kind: 'Singleton',
    metadata: { name, generation: 0, resourceVersion: '', labels, annotations: {} },
    spec: { paused: false, ...spec },
  };
}

function store(root: string): RecordStore<Singleton> {
  return new RecordStore(consul.get().client, SingletonKind, { root });
}

describe('RecordStore against a real Consul agent', () => {
  it('creates, leaves unchanged, and bumps generation only when the spec changes', async () => {
    const records = store(uniquePrefix('store'));
    const created = await records.applySpec(singleton('converger'));
    expect(created).toMatchObject({ action: 'created', generation: 1 });
    expect(await records.applySpec(singleton('converger'))).toMatchObject({
      action: 'unchanged',
      generation: 1,
    });
    expect(await records.applySpec(singleton('converger', {}, { team: 'diego' }))).toMatchObject({
      action: 'configured',
      generation: 1,
    });
    const paused = await records.applySpec(singleton('converger', { paused: true }, { team: 'diego' }));
    expect(paused).toMatchObject({ action: 'configured', generation: 2 });
    const entry = await records.get('converger');
    expect(entry?.record?.metadata).toMatchObject({
      generation: 2,
      resourceVersion: String(paused.specIndex),
      labels: { team: 'diego' },
    });
    expect(entry?.record?.spec.paused).toBe(true);
  });

  it('refuses a spec write at a stale resourceVersion', async () => {
    const records = store(uniquePrefix('stale'));
    const { specIndex } = await records.applySpec(singleton('tps-watcher'));
    await records.applySpec(singleton('tps-watcher', { paused: true }));
    const stale = singleton('tps-watcher', { preferredHolder: 'cell-1' });
    const withVersion = { ...stale, metadata: { ...stale.metadata, resourceVersion: String(specIndex) } };
    await expect(records.applySpec(withVersion)).rejects.toBeInstanceOf(CasConflictError);
  });

  it('writes status as a subresource with its own CAS, and never for a deleted record', async () => {
    const root = uniquePrefix('status');
    const records = store(root);
    await records.applySpec(singleton('auctioneer'));
    const entry = await records.get('auctioneer');
    expect(entry?.statusIndex).toBe(0);
    const status = {
      holder: 'cell-1',
      fencingToken: 3,
      transitions: 1,
      candidatesSeen: ['cell-1'],
      observedGeneration: 1,
      conditions: [],
    };
    const statusIndex = await records.writeStatus({ name: 'auctioneer', statusIndex: 0 }, status);
    expect(statusIndex).toBeGreaterThan(0);
    await expect(records.writeStatus({ name: 'auctioneer', statusIndex: 0 }, status)).rejects.toBeInstanceOf(
      CasConflictError,
    );
    const read = await records.get('auctioneer');
    expect(read?.record?.status).toEqual(status);
    expect(read?.statusIndex).toBe(statusIndex);
    // Spec writes leave status alone.
    await records.applySpec(singleton('auctioneer', { paused: true }));
    expect((await records.get('auctioneer'))?.record?.status?.holder).toBe('cell-1');

    await records.delete('auctioneer');
    expect(await records.get('auctioneer')).toBeUndefined();
    await expect(records.writeStatus({ name: 'auctioneer', statusIndex: 0 }, status)).rejects.toBeInstanceOf(
      RecordNotFoundError,
    );
    expect((await consul.get().client.kv.list(`${root}/`)).value).toEqual([]);
    await expect(records.delete('auctioneer')).rejects.toBeInstanceOf(RecordNotFoundError);
  });

  it('lists hand-edited, malformed records as invalid entries next to the valid ones', async () => {
    const root = uniquePrefix('invalid');
    const { client } = consul.get();
    const records = store(root);
    await records.applySpec(singleton('good'));
    const put = (key: string, value: unknown): Promise<boolean> =>
      client.kv.put(`${root}/singletons/${key}`, typeof value === 'string' ? value : JSON.stringify(value));
    await put('not-json/spec', '{ oops');
    await put('unsafe/spec', { ...singleton('unsafe'), spec: { timing: { lockDelay: '100ms' } } });
    await put('renamed/spec', singleton('other-name'));
    await put('bad-status/spec', singleton('bad-status'));
    await put('bad-status/status', { transitions: -1 });
    await put('orphan/status', { transitions: 1 });
    await put('stray-key', 'ignored');

    const { value } = await records.list();
    const summary = value.map((entry) => [entry.name, entry.error?.path ?? 'valid']);
    expect(summary).toEqual([
      ['bad-status', 'status.transitions'],
      ['good', 'valid'],
      ['not-json', '(root)'],
      ['renamed', 'metadata.name'],
      ['unsafe', 'spec.timing'],
    ]);
    const unsafe = value.find((entry) => entry.name === 'unsafe');
    expect(unsafe?.error?.message).toMatch(/timing fails the safety budget/);
    expect(unsafe?.specIndex).toBeGreaterThan(0);

    // A manifest repairs an invalid record as a spec change.
    expect(await records.applySpec(singleton('unsafe'))).toMatchObject({
      action: 'configured',
      generation: 1,
    });
    expect((await records.get('unsafe'))?.record).toBeDefined();
  });

  it('applies more records than one transaction holds, and writes nothing when a guard fails', async () => {
    const root = uniquePrefix('apply');
    const { client } = consul.get();
    const many = Array.from({ length: 130 }, (_, i) => singleton(`worker-${i}`));
    const outcomes = await applyRecords(client, many, { root });
    expect(outcomes.filter((outcome) => outcome.action === 'created')).toHaveLength(130);
    const again = await applyRecords(client, many, { root });
    expect(new Set(again.map((outcome) => outcome.action))).toEqual(new Set(['unchanged']));

    const records = store(root);
    const first = singleton('worker-0', { paused: true });
    const stale = { ...first, metadata: { ...first.metadata, resourceVersion: '1' } };
    await expect(applyRecords(client, [singleton('fresh'), stale], { root })).rejects.toBeInstanceOf(
      CasConflictError,
    );
    expect(await records.get('fresh')).toBeUndefined();
  });

  it('rolls back every write of a transaction when a record changes between plan and commit', async () => {
    const root = uniquePrefix('race');
    const { client } = consul.get();
    const records = store(root);
    await records.applySpec(singleton('a'));
    const plan = await planApply(client, [singleton('b'), singleton('a', { paused: true }), singleton('c')], {
      root,
    });
    await records.applySpec(singleton('a', { preferredHolder: 'someone-else' }));
    const error: unknown = await commitApply(client, plan, { root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyConflictError);
    expect(error).toMatchObject({ key: `${root}/singletons/a/spec`, committed: 0 });
    expect((error as Error).message).toMatch(/nothing was written/);
    expect(await records.get('b')).toBeUndefined();
    expect(await records.get('c')).toBeUndefined();
    expect((await records.get('a'))?.record?.spec.preferredHolder).toBe('someone-else');
  });

  it('reports what earlier transactions wrote when a later one conflicts', async () => {
    const root = uniquePrefix('batches');
    const { client } = consul.get();
    const records = store(root);
    await records.applySpec(singleton('z-last'));
    const desired = [
      ...Array.from({ length: 4 }, (_, i) => singleton(`w-${i}`)),
      singleton('z-last', { paused: true }),
    ];
    const plan = await planApply(client, desired, { root });
    await records.applySpec(singleton('z-last', { preferredHolder: 'other' }));
    await expect(commitApply(client, plan, { root, batchSize: 2 })).rejects.toMatchObject({
      committed: 4,
      total: 5,
    });
  });
});
