import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../../shared/api/core';
import type { StorageClass } from '../../shared/api/storage';
import { findNodeForPod } from '../algorithm';
import { SchedulerCache } from '../cache';
import { DEFAULT_FILTERS } from './filters';
import { DEFAULT_SCORES } from './scores';
import { VolumeBinding } from './volumebinding';

const node = (name: string): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (...claims: string[]): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
  spec: {
    containers: [{ name: 'c', image: 'x' }],
    volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })),
  },
});
const claim = (
  name: string,
  spec: Partial<PersistentVolumeClaim['spec']> = {},
  more: Partial<PersistentVolumeClaim['metadata']> = {},
): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...more },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', ...spec },
});
const onNode = (nodeName: string) => ({
  required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [nodeName] }] }] },
});
const volume = (name: string, spec: Partial<PersistentVolume['spec']> = {}): PersistentVolume => ({
  metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: `/mnt/${name}` }, ...spec },
  status: { phase: 'Available' },
});
const wffc = (name: string, provisioner: string): StorageClass => ({
  metadata: { name },
  provisioner,
  volumeBindingMode: 'WaitForFirstConsumer',
});
const immediate: StorageClass = { metadata: { name: 'fast' }, provisioner: 'example.com/fast', volumeBindingMode: 'Immediate' };

function plugin(
  claims: PersistentVolumeClaim[],
  volumes: PersistentVolume[] = [],
  classes: StorageClass[] = [wffc('local-path', 'rancher.io/local-path')],
) {
  return new VolumeBinding({
    claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volumes: () => volumes,
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    storageClass: (name) => classes.find((c) => c.metadata.name === name),
  });
}

function schedule(p: Pod, vb: VolumeBinding, nodes = [node('node-1'), node('node-2')]) {
  const cache = new SchedulerCache();
  nodes.forEach((n) => cache.setNode(n));
  return findNodeForPod(p, cache.nodeInfos(), [...DEFAULT_FILTERS, vb], DEFAULT_SCORES, () => 0);
}

describe('VolumeBinding', () => {
  it('keeps a pod off nodes its bound volume cannot be reached from', () => {
    const vb = plugin([claim('data', { volumeName: 'pv-1' })], [volume('pv-1', { nodeAffinity: onNode('node-2') })]);
    expect(schedule(pod('data'), vb)).toEqual({ node: 'node-2' });
    const elsewhere = plugin([claim('data', { volumeName: 'pv-1' })], [volume('pv-1', { nodeAffinity: onNode('node-9') })]);
    expect(schedule(pod('data'), elsewhere)).toEqual({
      unschedulable:
        '0/2 nodes are available: 2 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    });
  });

  it('says so when no available volume fits on any node and no provisioner can make one', () => {
    const vb = plugin(
      [claim('data', { storageClassName: 'manual' })],
      [volume('small', { capacity: { storage: '100Mi' }, storageClassName: 'manual' })],
      [wffc('manual', 'kubernetes.io/no-provisioner')],
    );
    expect(schedule(pod('data'), vb)).toEqual({
      unschedulable:
        "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    });
  });

  it('waits for Immediate claims to be bound, and for claims to exist', () => {
    const vb = plugin([claim('data', { storageClassName: 'fast' })], [], [immediate]);
    expect(schedule(pod('data'), vb)).toEqual({
      unschedulable:
        '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    });
    expect(schedule(pod('nope'), plugin([]))).toEqual({
      unschedulable:
        '0/2 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    });
  });

  it('schedules a WaitForFirstConsumer claim where a static volume waits, or anywhere its class can provision', () => {
    const statics = plugin(
      [claim('data', { storageClassName: 'manual' })],
      [volume('pv-1', { storageClassName: 'manual', nodeAffinity: onNode('node-1') })],
      [wffc('manual', 'kubernetes.io/no-provisioner')],
    );
    expect(schedule(pod('data'), statics)).toEqual({ node: 'node-1' });
    expect('node' in schedule(pod('data'), plugin([claim('data')]))).toBe(true);
  });

  it('at PreBind asks the provisioner for the chosen node, binds a chosen static volume, then waits for the claims to be bound', async () => {
    const claims = [claim('data'), claim('static', { storageClassName: 'manual' })];
    const volumes = [volume('pv-1', { storageClassName: 'manual', nodeAffinity: onNode('node-1') })];
    const vb = plugin(claims, volumes, [wffc('local-path', 'rancher.io/local-path'), wffc('manual', 'kubernetes.io/no-provisioner')]);
    const writes: string[] = [];
    let waited = 0;
    const binder = {
      bindVolume: async (pv: PersistentVolume) => void writes.push(`pv ${pv.metadata.name} claimRef ${pv.spec.claimRef?.name}`),
      selectNode: async (pvc: PersistentVolumeClaim) =>
        void writes.push(`pvc ${pvc.metadata.name} selected-node ${pvc.metadata.annotations?.['volume.kubernetes.io/selected-node']}`),
    };
    const wait = async () => {
      // What the PV controller and the provisioner do meanwhile.
      waited++;
      for (const c of claims) {
        c.spec.volumeName = `pv-of-${c.metadata.name}`;
        c.metadata.annotations = {
          ...c.metadata.annotations,
          'pv.kubernetes.io/bind-completed': 'yes',
          'volume.kubernetes.io/selected-node': 'node-1',
        };
      }
    };
    expect(vb.needsBinding(pod('data', 'static'))).toBe(true);
    await vb.preBind(pod('data', 'static'), node('node-1'), binder, wait, () => 0);
    expect(writes).toEqual(['pvc data selected-node node-1', 'pv pv-1 claimRef static']);
    expect(waited).toBe(1);
    expect(vb.needsBinding(pod('data', 'static'))).toBe(false);
  });

  it('gives up at PreBind when the provisioner dropped the selected node', async () => {
    const claims = [claim('data', {}, { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } })];
    const vb = plugin(claims);
    const binder = { bindVolume: async () => undefined, selectNode: async () => undefined };
    const wait = async () => void (claims[0].metadata.annotations = {});
    // (the first look sees the annotation; the provisioner then removes it)
    await expect(vb.preBind(pod('data'), node('node-1'), binder, wait, () => 0)).rejects.toThrow(
      'persistentvolumeclaim "data" was not provisioned on node "node-1"',
    );
  });
});
