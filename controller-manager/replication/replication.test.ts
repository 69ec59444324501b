import type { Pod, ReplicationController } from '../../shared/api/core';
import { FakePodControl } from '../podcontrol';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { ReplicationManager } from './replication';

const rc = (replicas: number): ReplicationController => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'myapp-rc', namespace: 'default', uid: 'rc-uid', generation: 2 },
  spec: {
    replicas,
    selector: { type: 'front-end' },
    template: { metadata: { labels: { app: 'myapp', type: 'front-end' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
  },
});

const pod = (name: string, labels: Record<string, string>, owner?: string): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    labels,
    creationTimestamp: '2026-01-01T00:00:00Z',
    ...(owner
      ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'myapp-rc', uid: owner, controller: true }] }
      : {}),
  },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }], nodeName: 'node-1' },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

async function setup(obj: ReplicationController, pods: Pod[]) {
  const informers = fakeInformers({ replicationcontrollers: [obj], pods });
  const control = new FakePodControl();
  const statuses: ReplicationController[] = [];
  const owners: string[] = [];
  const recorder = fakeRecorder();
  const c = new ReplicationManager(
    informers,
    control,
    {
      updateStatus: async (r) => void statuses.push(r),
      patchPodOwners: async (p, refs) =>
        void owners.push(`${p.metadata.name}:${(refs ?? []).map((r) => `${r.apiVersion}/${r.kind}`).join()}`),
    },
    recorder,
    clockAt('2026-01-01T00:10:00Z'),
  );
  await synced(informers);
  return { c, control, statuses, owners, recorder };
}

describe('replication manager (the ReplicaSet controller over ReplicationControllers)', () => {
  it('creates the missing pods, owned by the ReplicationController (v1), from its template', async () => {
    const { c, control, statuses, recorder } = await setup(rc(3), [pod('mine', { type: 'front-end' }, 'rc-uid')]);
    await c.sync('default/myapp-rc');
    expect(control.created).toHaveLength(2);
    expect(control.created[0].metadata).toMatchObject({
      generateName: 'myapp-rc-',
      labels: { app: 'myapp', type: 'front-end' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'myapp-rc', uid: 'rc-uid', controller: true }],
    });
    expect(recorder.events).toEqual(['SuccessfulCreate: Created pod: myapp-rc-0', 'SuccessfulCreate: Created pod: myapp-rc-1']);
    // The status goes to the ReplicationController as it is: its equality selector untouched.
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ kind: 'ReplicationController', spec: { selector: { type: 'front-end' } } });
    expect(statuses[0].status).toMatchObject({
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      fullyLabeledReplicas: 0,
      observedGeneration: 2,
    });
  });

  it('adopts orphans its equality selector matches, and only those', async () => {
    const { c, control, owners } = await setup(rc(2), [pod('orphan', { type: 'front-end', x: 'y' }), pod('other', { type: 'back-end' })]);
    await c.sync('default/myapp-rc');
    expect(owners).toEqual(['orphan:v1/ReplicationController']);
    expect(control.created).toHaveLength(1);
  });

  it('deletes the surplus when scaled down', async () => {
    const pods = ['a', 'b', 'c'].map((n) => pod(n, { type: 'front-end' }, 'rc-uid'));
    const { c, control, recorder } = await setup(rc(1), pods);
    await c.sync('default/myapp-rc');
    expect(control.deleted).toHaveLength(2);
    expect(recorder.events.filter((e) => e.startsWith('SuccessfulDelete'))).toHaveLength(2);
  });
});
