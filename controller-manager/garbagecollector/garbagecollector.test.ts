import type { ReplicaSet } from '../../shared/api/apps';
import type { Pod } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { clockAt, FakeAPI, fakeInformers, synced } from '../testing';
import { GarbageCollector } from './garbagecollector';

const RS_PATH = '/apis/apps/v1/namespaces/default/replicasets/web';
const POD_PATH = '/api/v1/namespaces/default/pods/web-a';

const owner = (extra: Partial<KubeObject['metadata']> = {}): ReplicaSet => ({
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', ...extra },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
});

const dependent = (name = 'web-a', extra: Partial<KubeObject['metadata']> = {}): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }],
    ...extra,
  },
  spec: { containers: [{ name: 'c', image: 'x' }] },
});

async function setup(objects: { replicasets?: ReplicaSet[]; pods?: Pod[] }, api = new FakeAPI()) {
  const informers = fakeInformers(objects);
  const gc = new GarbageCollector(informers, api as never, clockAt('2026-01-01T00:00:00Z'));
  await synced(informers);
  return { gc, api };
}

describe('garbage collector', () => {
  it('deletes a dependent whose owner is gone, in the background and only if it is still the same object', async () => {
    const { gc, api } = await setup({ pods: [dependent()] });
    await gc.sync('/pods/default/web-a');
    expect(api.requests).toEqual([
      {
        call: `DELETE ${POD_PATH}`,
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: 'uid-web-a' } },
      },
    ]);
  });

  it('keeps a dependent whose owner exists, asking the API rather than the cache', async () => {
    const { gc, api } = await setup({ pods: [dependent()] }, new FakeAPI({ [RS_PATH]: owner() }));
    await gc.sync('/pods/default/web-a');
    expect(api.calls()).toEqual([]);
  });

  it('treats an owner of the same name but another uid as gone', async () => {
    const { gc, api } = await setup({ pods: [dependent()] }, new FakeAPI({ [RS_PATH]: owner({ uid: 'other' }) }));
    await gc.sync('/pods/default/web-a');
    expect(api.calls()).toEqual([`DELETE ${POD_PATH}`]);
  });

  it('orphans: frees the dependents of an owner deleted with the orphan finalizer, then removes the finalizer', async () => {
    const deleting = owner({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'], resourceVersion: '7' });
    const { gc, api } = await setup({ replicasets: [deleting], pods: [dependent()] });
    await gc.sync('apps/replicasets/default/web');
    expect(api.requests).toEqual([
      { call: `PATCH ${POD_PATH}`, body: { metadata: { ownerReferences: [] } } },
      { call: `PATCH ${RS_PATH}`, body: { metadata: { finalizers: [], resourceVersion: '7' } } },
    ]);
  });

  it('deletes in the foreground: dependents first (themselves in the foreground), the finalizer once none is left', async () => {
    const deleting = owner({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'], resourceVersion: '7' });
    const first = await setup({
      replicasets: [deleting],
      pods: [dependent('web-a'), dependent('web-b', { deletionTimestamp: '2026-01-01T00:00:00Z' })],
    });
    await first.gc.sync('apps/replicasets/default/web');
    expect(first.api.requests).toEqual([
      {
        call: `DELETE ${POD_PATH}`,
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', preconditions: { uid: 'uid-web-a' } },
      },
    ]);

    const done = await setup({ replicasets: [deleting] });
    await done.gc.sync('apps/replicasets/default/web');
    expect(done.api.requests).toEqual([{ call: `PATCH ${RS_PATH}`, body: { metadata: { finalizers: [], resourceVersion: '7' } } }]);
  });

  it('leaves alone objects without owners and objects already being deleted', async () => {
    const { gc, api } = await setup({
      pods: [
        { ...dependent('free'), metadata: { name: 'free', namespace: 'default', uid: 'u1' } },
        dependent('going', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
      ],
    });
    await gc.sync('/pods/default/free');
    await gc.sync('/pods/default/going');
    expect(api.calls()).toEqual([]);
  });
});

describe('garbage collector and custom resources', () => {
  const crd = {
    metadata: { name: 'websites.examples.mini-kubernetes.io' },
    spec: {
      group: 'examples.mini-kubernetes.io',
      scope: 'Namespaced',
      names: { plural: 'websites', kind: 'Website' },
      versions: [{ name: 'v1', served: true, storage: true }],
    },
    status: {
      acceptedNames: { plural: 'websites', singular: 'website', kind: 'Website' },
      conditions: [{ type: 'Established', status: 'True' }],
    },
  };
  const child = (): KubeObject => ({
    metadata: {
      name: 'hello',
      namespace: 'default',
      uid: 'deploy-uid',
      ownerReferences: [
        { apiVersion: 'examples.mini-kubernetes.io/v1', kind: 'Website', name: 'hello', uid: 'site-uid', controller: true },
      ],
    },
  });
  const DEPLOYMENT = '/apis/apps/v1/namespaces/default/deployments/hello';
  const WEBSITE = '/apis/examples.mini-kubernetes.io/v1/namespaces/default/websites/hello';

  it('deletes what a custom resource owned once it is gone, monitoring the resource of every established CRD', async () => {
    const api = new FakeAPI();
    const informers = fakeInformers({ customresourcedefinitions: [crd as KubeObject], deployments: [child()] });
    const gc = new GarbageCollector(informers, api as never, clockAt('2026-01-01T00:00:00Z'));
    await synced(informers);
    await gc.sync('apps/deployments/default/hello');
    expect(api.calls()).toEqual([`DELETE ${DEPLOYMENT}`]);
  });

  it('keeps it while the owner exists, and leaves owners of kinds no CRD defines alone', async () => {
    const site = { metadata: { name: 'hello', namespace: 'default', uid: 'site-uid' } };
    const kept = new FakeAPI({ [WEBSITE]: site });
    const informers = fakeInformers({ customresourcedefinitions: [crd as KubeObject], deployments: [child()] });
    const gc = new GarbageCollector(informers, kept as never, clockAt('2026-01-01T00:00:00Z'));
    await synced(informers);
    await gc.sync('apps/deployments/default/hello');
    expect(kept.calls()).toEqual([]);

    const unknown = new FakeAPI();
    const without = fakeInformers({ deployments: [child()] });
    const gc2 = new GarbageCollector(without, unknown as never, clockAt('2026-01-01T00:00:00Z'));
    await synced(without);
    await gc2.sync('apps/deployments/default/hello');
    expect(unknown.calls()).toEqual([]);
  });
});
