import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../../shared/api/core';
import type { StorageClass } from '../../../shared/api/storage';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../../testing';
import { confinedDir, LocalPathProvisioner, volumeDirName } from './provisioner';

const ROOT = '/var/lib/mini-kubernetes/storage';
const localPath: StorageClass = {
  metadata: { name: 'local-path' },
  provisioner: 'rancher.io/local-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};
const claim = (annotations: Record<string, string>, spec: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: '1234', resourceVersion: '9', annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', ...spec },
  status: { phase: 'Pending' },
});
const asked = { 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path', 'volume.kubernetes.io/selected-node': 'node-1' };
const released = (path = `${ROOT}/pvc-1234_default_data`): PersistentVolume => ({
  metadata: { name: 'pvc-1234', annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' } },
  spec: {
    hostPath: { path, type: 'DirectoryOrCreate' },
    persistentVolumeReclaimPolicy: 'Delete',
    nodeAffinity: {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] },
    },
  },
  status: { phase: 'Released' },
});

async function setup(objects: Record<string, object[]>) {
  const informers = fakeInformers({
    storageclasses: [localPath],
    nodes: [{ metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } }],
    ...objects,
  } as never);
  const calls: string[] = [];
  const created: Record<string, unknown> = {};
  const api = {
    createVolume: async (pv: PersistentVolume) => void (calls.push(`create pv ${pv.metadata.name}`), (created.pv = pv)),
    deleteVolume: async (name: string) => void calls.push(`delete pv ${name}`),
    createPod: async (pod: Pod) => void (calls.push(`create pod ${pod.metadata.namespace}/${pod.metadata.name}`), (created.pod = pod)),
    deletePod: async (ns: string, name: string) => void calls.push(`delete pod ${ns}/${name}`),
  };
  const recorder = fakeRecorder();
  const p = new LocalPathProvisioner(
    informers,
    api,
    recorder,
    { root: ROOT, helperImage: 'busybox:1.36' },
    clockAt('2026-01-01T00:00:00Z'),
  );
  await synced(informers);
  return { p, calls, created, recorder };
}

describe('local-path provisioning', () => {
  it('makes a hostPath volume under the root, on the selected node, bound to the claim', async () => {
    const { p, calls, created, recorder } = await setup({ persistentvolumeclaims: [claim(asked)] });
    await p.sync('claim:default/data');
    expect(calls).toEqual(['create pv pvc-1234']);
    expect(created.pv).toMatchObject({
      metadata: { name: 'pvc-1234', annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' } },
      spec: {
        capacity: { storage: '1Gi' },
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'local-path',
        hostPath: { path: `${ROOT}/pvc-1234_default_data`, type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] },
        },
        claimRef: { namespace: 'default', name: 'data', uid: '1234' },
      },
    });
    expect(recorder.events).toEqual([
      'Provisioning: External provisioner is provisioning volume for claim "default/data"',
      'ProvisioningSucceeded: Successfully provisioned volume pvc-1234',
    ]);
  });

  it('waits for the PV controller to ask, and refuses what a directory on one node cannot be', async () => {
    const { p, calls, recorder } = await setup({
      persistentvolumeclaims: [
        claim({ 'volume.kubernetes.io/selected-node': 'node-1' }),
        { ...claim(asked, { accessModes: ['ReadWriteMany'] }), metadata: { ...claim(asked).metadata, name: 'shared' } },
      ],
    });
    await p.sync('claim:default/data');
    await p.sync('claim:default/shared');
    expect(calls).toEqual([]);
    expect(recorder.events).toEqual([
      'ProvisioningFailed: failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes',
    ]);
  });
});

describe('local-path deletion', () => {
  it('runs a helper pod on the node that removes the one directory, then deletes the volume and the pod', async () => {
    const first = await setup({ persistentvolumes: [released()] });
    await first.p.sync('volume:pvc-1234');
    expect(first.calls).toEqual(['create pod kube-system/helper-pod-delete-pvc-1234']);
    expect(first.created.pod).toMatchObject({
      spec: {
        nodeName: 'node-1',
        restartPolicy: 'Never',
        containers: [{ command: ['rm', '-rf', '--', '/data/pvc-1234_default_data'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', hostPath: { path: ROOT } }],
      },
    });
    const helper = { ...(first.created.pod as Pod), status: { phase: 'Succeeded' } };
    const done = await setup({ persistentvolumes: [released()], pods: [helper] });
    await done.p.sync('volume:pvc-1234');
    expect(done.calls).toEqual(['delete pv pvc-1234']);
    const gone = await setup({ pods: [helper] });
    await gone.p.sync('volume:pvc-1234');
    expect(gone.calls).toEqual(['delete pod kube-system/helper-pod-delete-pvc-1234']);
  });

  it('refuses to delete a path that is not one entry directly under the root', async () => {
    for (const path of ['/etc', `${ROOT}/../etc`, `${ROOT}/a/b`, ROOT]) {
      const { p, calls, recorder } = await setup({ persistentvolumes: [released(path)] });
      await p.sync('volume:pvc-1234');
      expect(calls).toEqual([]);
      expect(recorder.events[0]).toMatch(/^VolumeFailedDelete: refusing to delete/);
    }
  });

  it('builds directory names only from plain names', () => {
    expect(confinedDir(ROOT, `${ROOT}/pvc-1_default_data`)).toBe('pvc-1_default_data');
    expect(confinedDir(ROOT, `${ROOT}/..`)).toBeUndefined();
    expect(confinedDir(ROOT, 'relative/x')).toBeUndefined();
    const c = claim({});
    expect(volumeDirName('pvc-1234', c)).toBe('pvc-1234_default_data');
    expect(volumeDirName('pvc-1234', { ...c, metadata: { ...c.metadata, name: '../x' } })).toBeUndefined();
  });
});
