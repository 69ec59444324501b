import type { Namespace } from '../../shared/api/core';
import { RESOURCES, resourcePath } from '../../shared/api/resources';
import { clockAt, FakeAPI, fakeInformers, synced } from '../testing';
import { NamespaceController } from './namespace';

const terminating: Namespace = {
  metadata: { name: 'team', deletionTimestamp: '2026-01-01T00:00:00Z' },
  spec: { finalizers: ['kubernetes'] },
};

/** An API where every namespaced collection of `team` is empty except those given. */
function apiWith(collections: Record<string, { metadata: { name: string; deletionTimestamp?: string } }[]>, crds: unknown[] = []): FakeAPI {
  const objects: Record<string, unknown> = { '/apis/apiextensions.k8s.io/v1/customresourcedefinitions': { items: crds } };
  for (const r of RESOURCES.filter((r) => r.namespaced)) objects[resourcePath(r, 'team')] = { items: collections[r.plural] ?? [] };
  return new FakeAPI(objects);
}

async function setup(namespaces: Namespace[], api: FakeAPI) {
  const informers = fakeInformers({ namespaces });
  const clock = clockAt('2026-01-01T00:00:00Z');
  const c = new NamespaceController(informers, api as never, clock);
  await synced(informers);
  return Object.assign(c, { clock });
}

describe('namespace controller', () => {
  it('deletes what a terminating namespace still holds and waits, keeping its finalizer', async () => {
    const api = apiWith({ pods: [{ metadata: { name: 'web' } }], configmaps: [{ metadata: { name: 'old', deletionTimestamp: 'x' } }] });
    const c = await setup([terminating], api);
    const key = (await c.queue.get())!; // queued by the informer, as a worker takes it
    await c.sync(key);
    c.queue.done(key);
    expect(api.calls()).toEqual(['DELETE /api/v1/namespaces/team/pods']); // the configmap is already going
    expect(c.queue.len()).toBe(0); // checked again a second later, not at once
    c.clock.step(1000);
    expect(c.queue.len()).toBe(1);
  });

  it('releases an empty terminating namespace by removing the kubernetes finalizer through finalize', async () => {
    const api = apiWith({});
    const c = await setup([terminating], api);
    await c.sync('team');
    expect(api.requests).toEqual([{ call: 'PUT /api/v1/namespaces/team/finalize', body: { ...terminating, spec: { finalizers: [] } } }]);
  });

  it('does nothing for a namespace that is not being deleted', async () => {
    const api = apiWith({ pods: [{ metadata: { name: 'web' } }] });
    const c = await setup([{ metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] } }], api);
    await c.sync('team');
    expect(api.calls()).toEqual([]);
  });

  it('empties the custom resources of established CRDs too', async () => {
    const crd = {
      metadata: { name: 'websites.examples.mini-kubernetes.io' },
      spec: {
        group: 'examples.mini-kubernetes.io',
        scope: 'Namespaced',
        names: {},
        versions: [{ name: 'v1', served: true, storage: true }],
      },
      status: { acceptedNames: { plural: 'websites', kind: 'Website' }, conditions: [{ type: 'Established', status: 'True' }] },
    };
    const api = apiWith({}, [crd]);
    api.objects['/apis/examples.mini-kubernetes.io/v1/namespaces/team/websites'] = { items: [{ metadata: { name: 'hello' } }] };
    const c = await setup([terminating], api);
    await c.sync('team');
    expect(api.calls()).toEqual(['DELETE /apis/examples.mini-kubernetes.io/v1/namespaces/team/websites']);
  });
});
