// Claims, the scheduler, the PV controller and the local-path provisioner together, at a real apiserver
// with a real scheduler and controller-manager and two Nodes written by the test (no kubelet, no Docker:
// the test plays the kubelet where one is needed). A pod's claim of the default class gets a volume on
// the node the pod is scheduled to, the node's kubelet may read that claim and volume and the other node's
// may not, and deleting the claim runs the helper pod that removes the directory, then deletes the volume.
import path from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../../shared/api/core';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { ControlPlane, DIST, Proc, startControlPlane, startProcess, waitFor } from '../processes';
import { api } from './api';

let cp: ControlPlane;
let procs: Proc[] = [];
let root: string;
const NS = '/api/v1/namespaces/default';

const node = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: {
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
});
const claim = (name: string, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } }, ...extra },
});
const pod = (name: string, claimName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    containers: [{ name: 'app', image: 'busybox:1.36' }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  },
});
const get = async <T>(p: string): Promise<T> => (await api(cp.config, 'GET', p)).body as T;

beforeAll(async () => {
  cp = await startControlPlane([], ['node-1', 'node-2']);
  root = path.join(cp.dir, 'storage');
  for (const n of ['node-1', 'node-2']) {
    const created = await api(cp.config, 'POST', '/api/v1/nodes', node(n));
    expect(created.code).toBe(201);
    await api(cp.config, 'PUT', `/api/v1/nodes/${n}/status`, { ...created.body, status: node(n).status });
  }
  const component = (name: string, args: string[]) =>
    startProcess(process.execPath, [path.join(DIST, name, 'main.js'), ...args], `${cp.dir}/${name}.log`);
  procs = [
    component('scheduler', [`--kubeconfig=${cp.componentKubeconfig('scheduler')}`, '--leader-elect=false', '--secure-port=0']),
    component('controller-manager', [
      `--kubeconfig=${cp.componentKubeconfig('controller-manager')}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--controllers=persistentvolume-binder,pvc-protection,pv-protection,local-path-provisioner',
      `--local-path-root=${root}`,
    ]),
  ];
});
afterAll(async () => {
  for (const p of procs) await p.stop();
  await cp?.stop();
});

describe('a claim of the default class, WaitForFirstConsumer', () => {
  it('is provisioned on the node its pod is scheduled to, and bound before the pod is', async () => {
    expect((await api(cp.config, 'POST', `${NS}/persistentvolumeclaims`, claim('data'))).code).toBe(201);
    expect((await api(cp.config, 'POST', `${NS}/pods`, pod('web', 'data'))).code).toBe(201);
    const scheduled = await waitFor(async () => (await get<Pod>(`${NS}/pods/web`)).spec.nodeName, {
      what: 'the pod to be bound to a node',
      timeoutMs: 30_000,
    });
    const pvc = await get<PersistentVolumeClaim>(`${NS}/persistentvolumeclaims/data`);
    expect(pvc).toMatchObject({
      metadata: {
        annotations: {
          'volume.kubernetes.io/selected-node': scheduled,
          'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
          'pv.kubernetes.io/bind-completed': 'yes',
        },
      },
      spec: { volumeName: `pvc-${pvc.metadata.uid}`, storageClassName: 'local-path' },
      status: { phase: 'Bound', capacity: { storage: '64Mi' }, accessModes: ['ReadWriteOnce'] },
    });
    const pv = await get<PersistentVolume>(`/api/v1/persistentvolumes/pvc-${pvc.metadata.uid}`);
    expect(pv).toMatchObject({
      metadata: { annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' } },
      spec: {
        hostPath: { path: path.join(root, `pvc-${pvc.metadata.uid}_default_data`), type: 'DirectoryOrCreate' },
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { name: 'data', namespace: 'default', uid: pvc.metadata.uid },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', values: [scheduled] }] }] } },
      },
      status: { phase: 'Bound' },
    });

    // The Node authorizer: the pod's kubelet reads its claim and volume, the other node's does not.
    const other = scheduled === 'node-1' ? 'node-2' : 'node-1';
    const kubelet = (n: string) => loadKubeconfig(cp.componentKubeconfig(`kubelet-${n}`));
    expect((await api(kubelet(scheduled), 'GET', `${NS}/persistentvolumeclaims/data`)).code).toBe(200);
    expect((await api(kubelet(scheduled), 'GET', `/api/v1/persistentvolumes/${pv.metadata.name}`)).code).toBe(200);
    expect((await api(kubelet(other), 'GET', `${NS}/persistentvolumeclaims/data`)).code).toBe(403);
    expect((await api(kubelet(other), 'GET', `/api/v1/persistentvolumes/${pv.metadata.name}`)).code).toBe(403);
  });

  it('stays while its pod runs, then goes; the helper pod removes the directory and the volume goes', async () => {
    const pvc = await get<PersistentVolumeClaim>(`${NS}/persistentvolumeclaims/data`);
    const volumeName = pvc.spec.volumeName!;
    await api(cp.config, 'DELETE', `${NS}/persistentvolumeclaims/data`);
    expect((await get<PersistentVolumeClaim>(`${NS}/persistentvolumeclaims/data`)).metadata.deletionTimestamp).toBeDefined();
    await api(cp.config, 'DELETE', `${NS}/pods/web`, { gracePeriodSeconds: 0 });
    await waitFor(async () => (await api(cp.config, 'GET', `${NS}/persistentvolumeclaims/data`)).code === 404, {
      what: 'the claim to go once no pod uses it',
    });
    const helperPath = `/api/v1/namespaces/kube-system/pods/helper-pod-delete-${volumeName}`;
    const helper = await waitFor(
      async () => {
        const r = await api(cp.config, 'GET', helperPath);
        return r.code === 200 ? (r.body as Pod) : undefined;
      },
      { what: 'the helper pod' },
    );
    expect((await get<PersistentVolume>(`/api/v1/persistentvolumes/${volumeName}`)).status?.phase).toBe('Released');
    expect(helper.spec).toMatchObject({
      nodeName: expect.stringMatching(/^node-[12]$/),
      containers: [{ command: ['rm', '-rf', '--', `/data/${volumeName}_default_data`] }],
      volumes: [{ hostPath: { path: root } }],
    });
    // The kubelet's part: the helper ran and succeeded.
    await api(cp.config, 'PUT', `${helperPath}/status`, { ...helper, status: { phase: 'Succeeded' } });
    await waitFor(async () => (await api(cp.config, 'GET', `/api/v1/persistentvolumes/${volumeName}`)).code === 404, {
      what: 'the volume to be deleted',
    });
    await waitFor(async () => (await api(cp.config, 'GET', helperPath)).code === 404, { what: 'the helper pod to be deleted' });
  });
});

describe('a static volume', () => {
  it('binds to a claim of its class, goes Released when the claim is deleted and stays (Retain)', async () => {
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'static' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: '/srv/static' } },
    };
    expect((await api(cp.config, 'POST', '/api/v1/persistentvolumes', pv)).code).toBe(201);
    await api(cp.config, 'POST', `${NS}/persistentvolumeclaims`, claim('static', { storageClassName: 'manual' }));
    await waitFor(async () => (await get<PersistentVolumeClaim>(`${NS}/persistentvolumeclaims/static`)).status?.phase === 'Bound', {
      what: 'the claim to be bound',
    });
    expect((await get<PersistentVolume>('/api/v1/persistentvolumes/static')).status?.phase).toBe('Bound');
    await api(cp.config, 'DELETE', `${NS}/persistentvolumeclaims/static`);
    await waitFor(async () => (await get<PersistentVolume>('/api/v1/persistentvolumes/static')).status?.phase === 'Released', {
      what: 'the volume to be Released',
    });
  });

  it('waiting pods say why: no volume of their WaitForFirstConsumer class fits on any node', async () => {
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'none' },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    await api(cp.config, 'POST', '/apis/storage.k8s.io/v1/storageclasses', sc);
    await api(cp.config, 'POST', `${NS}/persistentvolumeclaims`, claim('none', { storageClassName: 'none' }));
    await api(cp.config, 'POST', `${NS}/pods`, pod('waiting', 'none'));
    const message = await waitFor(
      async () => (await get<Pod>(`${NS}/pods/waiting`)).status?.conditions?.find((c) => c.type === 'PodScheduled')?.message,
      { what: 'the pod to be marked unschedulable' },
    );
    expect(message).toBe(
      "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });
});
