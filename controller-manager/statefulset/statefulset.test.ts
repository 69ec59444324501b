import type { ControllerRevision, StatefulSet } from '../../shared/api/apps';
import type { PersistentVolumeClaim, Pod } from '../../shared/api/core';
import { FakeRevisionClient, hashRevisionData, revisionName, templatePatch } from '../history/history';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { StatefulPodControl, StatefulSetController } from './statefulset';
import { getOrdinal, newStatefulSetPod } from './utils';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
});

function statefulSet(opts: Partial<StatefulSet['spec']> & { image?: string; status?: StatefulSet['status'] } = {}): StatefulSet {
  const { image, status, ...spec } = opts;
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'web',
      template: template(image ?? 'web:1'),
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } },
      ],
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

/** The revision of a set's template, as the controller names it. */
function revisionOf(set: StatefulSet, number: number): ControllerRevision {
  const data = templatePatch(set.spec.template);
  const hash = hashRevisionData(data);
  return {
    metadata: {
      name: revisionName('web', hash),
      namespace: 'default',
      labels: { app: 'web', 'controller.kubernetes.io/hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true }],
      creationTimestamp: `2026-01-01T00:00:0${number}Z`,
    },
    data,
    revision: number,
  };
}

/** A pod of the set at `revision`, running and ready unless told otherwise. */
function pod(set: StatefulSet, ordinal: number, revision: string, opts: { ready?: boolean; phase?: string; deleting?: boolean } = {}): Pod {
  const p = newStatefulSetPod(set, set.spec.template, revision, ordinal);
  p.metadata.uid = `uid-${ordinal}`;
  if (opts.deleting) p.metadata.deletionTimestamp = '2026-01-01T00:05:00Z';
  p.status = {
    phase: (opts.phase ?? 'Running') as 'Running',
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:01:00Z' }],
  };
  return p;
}

class FakeControl implements StatefulPodControl {
  readonly calls: string[] = [];
  readonly statuses: StatefulSet[] = [];
  readonly created: Pod[] = [];
  readonly claims: PersistentVolumeClaim[] = [];
  async createPod(p: Pod) {
    this.created.push(p);
    this.calls.push(`create ${p.metadata.name}`);
  }
  async updatePod(p: Pod) {
    this.calls.push(`update ${p.metadata.name}`);
  }
  async deletePod(_ns: string, name: string) {
    this.calls.push(`delete ${name}`);
  }
  async createClaim(c: PersistentVolumeClaim) {
    this.claims.push(c);
    this.calls.push(`claim ${c.metadata.name}`);
  }
  async patchClaimOwners(c: PersistentVolumeClaim, refs: PersistentVolumeClaim['metadata']['ownerReferences']) {
    this.calls.push(`owners ${c.metadata.name} ${(refs ?? []).map((r) => r.kind).join(',')}`);
  }
  async updateStatus(s: StatefulSet) {
    this.statuses.push(s);
  }
}

const claim = (name: string): PersistentVolumeClaim => ({ metadata: { name, namespace: 'default' }, spec: {} });

async function setup(set: StatefulSet, pods: Pod[] = [], revisions: ControllerRevision[] = [], claims: PersistentVolumeClaim[] = []) {
  const informers = fakeInformers({ statefulsets: [set], pods, controllerrevisions: revisions, persistentvolumeclaims: claims });
  const control = new FakeControl();
  const history = new FakeRevisionClient(revisions);
  const recorder = fakeRecorder();
  const c = new StatefulSetController(informers, control, history, recorder, clockAt('2026-01-01T00:10:00Z'));
  await synced(informers);
  return { c, control, history, recorder };
}

describe('StatefulSet pods', () => {
  it('are named by ordinal, know their identity and mount their own claims', () => {
    const set = statefulSet();
    const p = newStatefulSetPod(set, set.spec.template, 'web-abc', 2);
    expect(p.metadata.name).toBe('web-2');
    expect(p.metadata.labels).toEqual({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-2',
      'apps.kubernetes.io/pod-index': '2',
      'controller-revision-hash': 'web-abc',
    });
    expect([p.spec.hostname, p.spec.subdomain]).toEqual(['web-2', 'web']);
    expect(p.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } }]);
    expect(getOrdinal(set, p)).toBe(2);
    expect(getOrdinal(set, { ...p, metadata: { name: 'web-02' } })).toBe(-1);
  });
});

describe('StatefulSet controller', () => {
  it('creates web-0 and its claim first, and waits for it to be ready before web-1', async () => {
    const set = statefulSet();
    const { c, control, history, recorder } = await setup(set);
    await c.sync('default/web');
    const rev = revisionOf(set, 1).metadata.name!;
    expect(history.calls).toEqual([`create ${rev} 1`]);
    expect(control.calls).toEqual(['claim data-web-0', 'create web-0']);
    expect(control.claims[0].metadata.labels).toEqual({ app: 'web' });
    expect(recorder.events).toEqual([
      'SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success',
      'SuccessfulCreate: create Pod web-0 in StatefulSet web successful',
    ]);
    expect(control.statuses[0].status).toMatchObject({ replicas: 0, currentRevision: rev, updateRevision: rev, observedGeneration: 1 });

    const notReady = await setup(set, [pod(set, 0, rev, { ready: false })], [revisionOf(set, 1)], [claim('data-web-0')]);
    await notReady.c.sync('default/web');
    expect(notReady.control.calls).toEqual([]);

    const ready = await setup(set, [pod(set, 0, rev)], [revisionOf(set, 1)], [claim('data-web-0')]);
    await ready.c.sync('default/web');
    expect(ready.control.calls).toEqual(['claim data-web-1', 'create web-1']);
  });

  it('creates every pod at once with Parallel', async () => {
    const set = statefulSet({ podManagementPolicy: 'Parallel' });
    const { c, control } = await setup(set);
    await c.sync('default/web');
    expect(control.calls.filter((x) => x.startsWith('create'))).toEqual(['create web-0', 'create web-1', 'create web-2']);
  });

  it('gives a pod deleted by hand back its name and its claim', async () => {
    const set = statefulSet();
    const rev = revisionOf(set, 1).metadata.name!;
    const claims = ['data-web-0', 'data-web-1', 'data-web-2'].map(claim);
    const { c, control } = await setup(set, [pod(set, 0, rev), pod(set, 2, rev)], [revisionOf(set, 1)], claims);
    await c.sync('default/web');
    expect(control.calls).toEqual(['create web-1']);
    expect(control.created[0].spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }]);
  });

  it('scales down from the highest ordinal, one at a time, keeping the claims', async () => {
    const set = statefulSet({ replicas: 1 });
    const rev = revisionOf(set, 1).metadata.name!;
    const pods = [pod(set, 0, rev), pod(set, 1, rev), pod(set, 2, rev)];
    const { c, control } = await setup(set, pods, [revisionOf(set, 1)], ['data-web-0', 'data-web-1', 'data-web-2'].map(claim));
    await c.sync('default/web');
    expect(control.calls).toEqual(['delete web-2']);
    const next = await setup(set, [pods[0], pods[1], pod(set, 2, rev, { deleting: true })], [revisionOf(set, 1)]);
    await next.c.sync('default/web');
    expect(next.control.calls.filter((x) => x.startsWith('delete'))).toEqual([]);
  });

  it('gives claims of scaled-away pods to the pod when whenScaled is Delete, to the set when whenDeleted is', async () => {
    const set = statefulSet({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    const rev = revisionOf(set, 1).metadata.name!;
    const { c, control } = await setup(
      set,
      [pod(set, 0, rev), pod(set, 1, rev)],
      [revisionOf(set, 1)],
      ['data-web-0', 'data-web-1'].map(claim),
    );
    await c.sync('default/web');
    expect(control.calls).toEqual(['owners data-web-0 StatefulSet', 'owners data-web-1 StatefulSet,Pod', 'delete web-1']);
  });

  it('rolls out a new template from the highest ordinal down to the partition, one ready pod at a time', async () => {
    const old = statefulSet();
    const oldRev = revisionOf(old, 1);
    const set = statefulSet({ image: 'web:2', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    set.status = { replicas: 3, currentRevision: oldRev.metadata.name };
    set.metadata.generation = 2;
    const newRev = revisionOf(set, 2);
    const claims = ['data-web-0', 'data-web-1', 'data-web-2'].map(claim);
    const oldPods = [0, 1, 2].map((i) => pod(old, i, oldRev.metadata.name!));

    const first = await setup(set, oldPods, [oldRev], claims);
    await first.c.sync('default/web');
    expect(first.history.calls).toEqual([`create ${newRev.metadata.name} 2`]);
    expect(first.control.calls).toEqual(['delete web-2']);

    // web-2 came back on the new revision but is not ready yet: wait.
    const waiting = await setup(
      set,
      [oldPods[0], oldPods[1], pod(set, 2, newRev.metadata.name!, { ready: false })],
      [oldRev, newRev],
      claims,
    );
    await waiting.c.sync('default/web');
    expect(waiting.control.calls).toEqual([]);

    // web-2 is ready: web-1 is next; web-0 stays below the partition.
    const next = await setup(set, [oldPods[0], oldPods[1], pod(set, 2, newRev.metadata.name!)], [oldRev, newRev], claims);
    await next.c.sync('default/web');
    expect(next.control.calls).toEqual(['delete web-1']);
    const recreate = await setup(set, [oldPods[0], pod(set, 2, newRev.metadata.name!)], [oldRev, newRev], claims);
    await recreate.c.sync('default/web');
    expect(recreate.control.created[0].metadata.labels?.['controller-revision-hash']).toBe(newRev.metadata.name);
    const done = await setup(
      set,
      [oldPods[0], pod(set, 1, newRev.metadata.name!), pod(set, 2, newRev.metadata.name!)],
      [oldRev, newRev],
      claims,
    );
    await done.c.sync('default/web');
    expect(done.control.calls).toEqual([]);
    expect(done.control.statuses[0].status).toMatchObject({
      currentRevision: oldRev.metadata.name,
      updateRevision: newRev.metadata.name,
      currentReplicas: 1,
      updatedReplicas: 2,
      readyReplicas: 3,
    });
  });

  it('replaces a failed pod, and with OnDelete leaves old pods alone', async () => {
    const set = statefulSet({ replicas: 1 });
    const rev = revisionOf(set, 1).metadata.name!;
    const failed = await setup(set, [pod(set, 0, rev, { phase: 'Failed' })], [revisionOf(set, 1)], [claim('data-web-0')]);
    await failed.c.sync('default/web');
    expect(failed.control.calls).toEqual(['delete web-0']);

    const old = statefulSet({ replicas: 1 });
    const oldRev = revisionOf(old, 1);
    const onDelete = statefulSet({ replicas: 1, image: 'web:2', updateStrategy: { type: 'OnDelete' } });
    onDelete.status = { replicas: 1, currentRevision: oldRev.metadata.name };
    const kept = await setup(onDelete, [pod(old, 0, oldRev.metadata.name!)], [oldRev], [claim('data-web-0')]);
    await kept.c.sync('default/web');
    expect(kept.control.calls).toEqual([]);
  });

  it('makes an old revision current again on a rollback, renumbered as the newest', async () => {
    const one = statefulSet();
    const two = statefulSet({ image: 'web:2' });
    const revs = [revisionOf(one, 1), revisionOf(two, 2)];
    const back = statefulSet({ status: { replicas: 3, currentRevision: revs[1].metadata.name } });
    const { c, history } = await setup(back, [], revs);
    await c.sync('default/web');
    expect(history.calls).toEqual([`update ${revs[0].metadata.name} 3`]);
  });
});
