import type { ReplicaSet } from '../../shared/api/apps';
import type { Pod } from '../../shared/api/core';
import { FakePodControl } from '../podcontrol';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { ReplicaSetController } from './replicaset';

const rs = (replicas: number): ReplicaSet => ({
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
  },
});

const pod = (
  name: string,
  opts: { owned?: boolean; node?: string; phase?: string; ready?: boolean; created?: string; labels?: Record<string, string> } = {},
): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    labels: opts.labels ?? { app: 'web' },
    creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
    ...(opts.owned === false
      ? {}
      : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] }),
  },
  spec: { containers: [{ name: 'c', image: 'x' }], nodeName: opts.node },
  status: {
    phase: (opts.phase ?? 'Running') as Pod['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never,
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

async function setup(replicaSet: ReplicaSet, pods: Pod[]) {
  const informers = fakeInformers({ replicasets: [replicaSet], pods });
  const control = new FakePodControl();
  const statuses: ReplicaSet[] = [];
  const owners: string[] = [];
  const recorder = fakeRecorder();
  const c = new ReplicaSetController(
    informers,
    control,
    {
      updateStatus: async (r) => void statuses.push(r),
      patchPodOwners: async (p, refs) => void owners.push(`${p.metadata.name}:${(refs ?? []).length}`),
    },
    recorder,
    clockAt('2026-01-01T00:10:00Z'),
  );
  await synced(informers);
  return { c, control, statuses, owners, recorder };
}

describe('ReplicaSet controller', () => {
  it('creates the missing pods from the template, owned by the ReplicaSet', async () => {
    const { c, control, statuses, recorder } = await setup(rs(3), [pod('web-a', { node: 'n1' })]);
    await c.sync('default/web');
    expect(control.created).toHaveLength(2);
    expect(control.created[0].metadata).toMatchObject({
      generateName: 'web-',
      labels: { app: 'web' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(recorder.events.filter((e) => e.startsWith('SuccessfulCreate'))).toHaveLength(2);
    expect(statuses[0].status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
  });

  it('does not create again while its creations are not yet observed (expectations)', async () => {
    const { c, control } = await setup(rs(3), []);
    await c.sync('default/web');
    await c.sync('default/web');
    expect(control.created).toHaveLength(3);
  });

  it('deletes surplus pods, unscheduled and not ready ones first', async () => {
    const pods = [
      pod('ready-old', { node: 'n1', created: '2026-01-01T00:00:00Z' }),
      pod('ready-new', { node: 'n1', created: '2026-01-01T00:05:00Z' }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
      pod('notready', { node: 'n1', ready: false }),
    ];
    const { c, control } = await setup(rs(2), pods);
    await c.sync('default/web');
    expect(control.deleted.sort()).toEqual(['notready', 'unscheduled']);
  });

  it('adopts a matching orphan and ignores terminated pods', async () => {
    const done = pod('done', { node: 'n1', phase: 'Succeeded' });
    const { c, control, owners } = await setup(rs(2), [pod('orphan', { owned: false, node: 'n1' }), done]);
    await c.sync('default/web');
    expect(owners).toEqual(['orphan:1']);
    expect(control.created).toHaveLength(1);
  });
});
