import type { PersistentVolume, PersistentVolumeClaim } from '../../../shared/api/core';
import type { StorageClass } from '../../../shared/api/storage';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../../testing';
import { PersistentVolumeController, VolumeWriter } from './pvcontroller';

const volume = (
  name: string,
  storage: string,
  spec: Partial<PersistentVolume['spec']> = {},
  more: Partial<PersistentVolume> = {},
): PersistentVolume => ({
  metadata: { name, uid: `uid-${name}`, labels: { tier: 'ssd' }, ...more.metadata },
  spec: {
    capacity: { storage },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Retain',
    hostPath: { path: `/srv/${name}` },
    volumeMode: 'Filesystem',
    ...spec,
  },
  status: { phase: 'Available', ...more.status },
});
const claim = (
  name: string,
  spec: Partial<PersistentVolumeClaim['spec']> = {},
  annotations: Record<string, string> = {},
): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', annotations },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: '',
    volumeMode: 'Filesystem',
    ...spec,
  },
  status: { phase: 'Pending' },
});
const localPath: StorageClass = {
  metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rancher.io/local-path',
  volumeBindingMode: 'WaitForFirstConsumer',
  reclaimPolicy: 'Delete',
};

function recordingWriter(): VolumeWriter & { actions: string[]; written: Record<string, unknown> } {
  const actions: string[] = [];
  const written: Record<string, unknown> = {};
  const record =
    <T extends { metadata: { name?: string } }>(verb: string) =>
    async (obj: T): Promise<T> => {
      actions.push(`${verb} ${obj.metadata.name}`);
      written[`${verb} ${obj.metadata.name}`] = structuredClone(obj);
      return obj;
    };
  return {
    actions,
    written,
    updateVolume: record('update pv'),
    updateVolumeStatus: record('status pv'),
    updateClaim: record('update pvc'),
    updateClaimStatus: record('status pvc'),
  };
}

async function setup(objects: {
  persistentvolumes?: PersistentVolume[];
  persistentvolumeclaims?: PersistentVolumeClaim[];
  storageclasses?: StorageClass[];
}) {
  const informers = fakeInformers(objects);
  const writer = recordingWriter();
  const recorder = fakeRecorder();
  const controller = new PersistentVolumeController(informers, writer, recorder, clockAt('2026-01-01T00:00:00Z'));
  await synced(informers);
  return { controller, writer, recorder };
}

describe('PersistentVolumeController binding', () => {
  it('binds a claim to the smallest available volume of its class that fits, both sides and both statuses', async () => {
    const { controller, writer } = await setup({
      persistentvolumes: [
        volume('big', '10Gi'),
        volume('small', '2Gi'),
        volume('tiny', '512Mi'),
        volume('other-class', '1Gi', { storageClassName: 'fast' }),
      ],
      persistentvolumeclaims: [claim('data')],
    });
    await controller.sync('claim:default/data');
    expect(writer.actions).toEqual(['update pv small', 'status pv small', 'update pvc data', 'status pvc data']);
    expect(writer.written['update pv small']).toMatchObject({
      metadata: { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data', apiVersion: 'v1' } },
    });
    expect(writer.written['update pvc data']).toMatchObject({
      metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: { volumeName: 'small' },
    });
    expect(writer.written['status pvc data']).toMatchObject({
      status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] },
    });
  });

  it('skips volumes whose access modes, selector, size or phase do not fit', async () => {
    const { controller, writer, recorder } = await setup({
      persistentvolumes: [
        volume('rox', '1Gi', { accessModes: ['ReadOnlyMany'] }),
        volume('released', '1Gi', {}, { status: { phase: 'Released' } }),
        volume('taken', '1Gi', { claimRef: { namespace: 'default', name: 'other', uid: 'x' } }),
      ],
      persistentvolumeclaims: [claim('data', { selector: { matchLabels: { tier: 'ssd' } } })],
    });
    await controller.sync('claim:default/data');
    expect(writer.actions).toEqual([]);
    expect(recorder.events).toEqual(['FailedBinding: no persistent volumes available for this claim and no storage class is set']);
  });

  it('leaves a WaitForFirstConsumer claim to the scheduler until it has a selected node, then asks the provisioner', async () => {
    const waiting = claim('data', { storageClassName: 'local-path' });
    const { controller, writer, recorder } = await setup({
      persistentvolumes: [volume('any', '1Gi', { storageClassName: 'local-path' })],
      persistentvolumeclaims: [
        waiting,
        claim(
          'chosen',
          { storageClassName: 'local-path', resources: { requests: { storage: '100Gi' } } },
          { 'volume.kubernetes.io/selected-node': 'node-1' },
        ),
      ],
      storageclasses: [localPath],
    });
    await controller.sync('claim:default/data');
    expect(writer.actions).toEqual([]);
    expect(recorder.events).toEqual(['WaitForFirstConsumer: waiting for first consumer to be created before binding']);
    await controller.sync('claim:default/chosen');
    expect(writer.actions).toEqual(['update pvc chosen']);
    expect(writer.written['update pvc chosen']).toMatchObject({
      metadata: {
        annotations: {
          'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
          'volume.beta.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
        },
      },
    });
    expect(recorder.events[1]).toMatch(
      /^ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'rancher.io\/local-path'/,
    );
  });

  it('finishes a binding the scheduler started by writing the claimRef', async () => {
    const { controller, writer } = await setup({
      persistentvolumes: [
        volume('pv-1', '1Gi', { storageClassName: 'local-path', claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } }),
      ],
      persistentvolumeclaims: [claim('data', { storageClassName: 'local-path' })],
      storageclasses: [localPath],
    });
    await controller.sync('claim:default/data');
    expect(writer.actions).toEqual(['status pv pv-1', 'update pvc data', 'status pvc data']);
  });

  it('gives a claim without a class the default one (retroactive assignment)', async () => {
    const { controller, writer } = await setup({
      persistentvolumeclaims: [claim('data', { storageClassName: undefined })],
      storageclasses: [localPath],
    });
    await controller.sync('claim:default/data');
    expect(writer.written['update pvc data']).toMatchObject({ spec: { storageClassName: 'local-path' } });
  });

  it('marks a bound claim whose volume is gone Lost', async () => {
    const { controller, writer, recorder } = await setup({
      persistentvolumeclaims: [claim('data', { volumeName: 'gone' }, { 'pv.kubernetes.io/bind-completed': 'yes' })],
    });
    await controller.sync('claim:default/data');
    expect(writer.written['status pvc data']).toMatchObject({ status: { phase: 'Lost' } });
    expect(recorder.events).toEqual(['ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
  });
});

describe('PersistentVolumeController reclaiming', () => {
  const bound = (policy: 'Retain' | 'Delete', annotations: Record<string, string> = {}) =>
    volume(
      'pv-1',
      '1Gi',
      { persistentVolumeReclaimPolicy: policy, claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' } },
      { metadata: { name: 'pv-1', annotations }, status: { phase: 'Bound' } },
    );

  it('releases a Retain volume whose claim is gone and keeps it', async () => {
    const { controller, writer } = await setup({ persistentvolumes: [bound('Retain')] });
    await controller.sync('volume:pv-1');
    expect(writer.actions).toEqual(['status pv pv-1']);
    expect(writer.written['status pv pv-1']).toMatchObject({ status: { phase: 'Released' }, spec: { claimRef: { name: 'data' } } });
  });

  it('leaves a released Delete volume to the provisioner that made it', async () => {
    const { controller, writer } = await setup({
      persistentvolumes: [bound('Delete', { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' })],
    });
    await controller.sync('volume:pv-1');
    expect(writer.actions).toEqual(['status pv pv-1']);
  });

  it('fails a Delete volume that nobody provisioned, as Kubernetes does without a deleter', async () => {
    const { controller, writer, recorder } = await setup({ persistentvolumes: [bound('Delete')] });
    await controller.sync('volume:pv-1');
    expect(writer.actions).toEqual(['status pv pv-1', 'status pv pv-1']);
    expect(writer.written['status pv pv-1']).toMatchObject({ status: { phase: 'Failed' } });
    expect(recorder.events).toEqual([
      'VolumeFailedDelete: error getting deleter volume plugin for volume "pv-1": no deletable volume plugin matched',
    ]);
  });

  it('makes a volume without a claim Available, and keeps a bound one Bound', async () => {
    const { controller, writer } = await setup({
      persistentvolumes: [volume('new', '1Gi', {}, { status: { phase: 'Pending' } }), bound('Retain')],
      persistentvolumeclaims: [claim('data', { volumeName: 'pv-1' }, { 'pv.kubernetes.io/bind-completed': 'yes' })],
    });
    await controller.sync('volume:new');
    await controller.sync('volume:pv-1');
    expect(writer.actions).toEqual(['status pv new']);
    expect(writer.written['status pv new']).toMatchObject({ status: { phase: 'Available' } });
  });
});
