// PersistentVolumes, PersistentVolumeClaims and StorageClasses at a real apiserver: discovery (pv, pvc,
// sc), the default class local-path created at start, DefaultStorageClass admission, the protection
// finalizers, kubectl's columns, validation in Kubernetes' words, and who may touch them (view reads
// claims, the kubelet reads only the claims and volumes of its pods). No controller-manager runs here.
import { loadKubeconfig } from '../../shared/kubeconfig';
import type { ClientConfig } from '../../shared/kubeconfig';
import { ControlPlane, startControlPlane } from '../processes';
import { api } from './api';

let cp: ControlPlane;
let viewer: ClientConfig;
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
const PVS = '/api/v1/persistentvolumes';
const SCS = '/apis/storage.k8s.io/v1/storageclasses';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const claim = (name: string, spec: object = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

beforeAll(async () => {
  cp = await startControlPlane();
  viewer = loadKubeconfig(cp.viewerKubeconfig);
});
afterAll(() => cp?.stop());

describe('storage kinds', () => {
  it('are discovered with their short names and scopes', async () => {
    const core = (await api(cp.config, 'GET', '/api/v1')).body.resources as { name: string; shortNames?: string[]; namespaced: boolean }[];
    expect(core.find((r) => r.name === 'persistentvolumes')).toMatchObject({
      shortNames: ['pv'],
      namespaced: false,
      kind: 'PersistentVolume',
    });
    expect(core.find((r) => r.name === 'persistentvolumeclaims')).toMatchObject({ shortNames: ['pvc'], namespaced: true });
    const storage = (await api(cp.config, 'GET', '/apis/storage.k8s.io/v1')).body.resources;
    expect(storage[0]).toMatchObject({ name: 'storageclasses', shortNames: ['sc'], namespaced: false });
  });

  it('start with the default class local-path, WaitForFirstConsumer, printed as kubectl does', async () => {
    const sc = await api(cp.config, 'GET', `${SCS}/local-path`);
    expect(sc.body).toMatchObject({
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    });
    const table = await api(cp.config, 'GET', SCS, undefined, 'application/json', TABLE);
    expect(table.body.rows[0].cells.slice(0, 5)).toEqual([
      'local-path (default)',
      'rancher.io/local-path',
      'Delete',
      'WaitForFirstConsumer',
      false,
    ]);
  });

  it('give a claim without a class the default one and the pvc-protection finalizer; an empty class stays empty', async () => {
    const created = await api(cp.config, 'POST', PVCS, claim('data'));
    expect(created.code).toBe(201);
    expect(created.body).toMatchObject({
      metadata: { finalizers: ['kubernetes.io/pvc-protection'] },
      spec: { storageClassName: 'local-path', volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    const none = await api(cp.config, 'POST', PVCS, claim('static', { storageClassName: '' }));
    expect(none.body.spec.storageClassName).toBe('');
    const table = await api(cp.config, 'GET', PVCS, undefined, 'application/json', TABLE);
    expect(table.body.columnDefinitions.filter((c: { priority: number }) => !c.priority).map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Status',
      'Volume',
      'Capacity',
      'Access Modes',
      'StorageClass',
      'VolumeAttributesClass',
      'Age',
    ]);
    // Deleting a claim that carries the finalizer leaves it Terminating until the finalizer goes.
    await api(cp.config, 'DELETE', `${PVCS}/static`);
    const terminating = await api(cp.config, 'GET', PVCS, undefined, 'application/json', TABLE);
    const row = terminating.body.rows.find((r: { cells: string[] }) => r.cells[0] === 'static');
    expect(row.cells[1]).toBe('Terminating');
  });

  it('create volumes Pending with the pv-protection finalizer, and refuse invalid ones in Kubernetes words', async () => {
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/pv-1' }, storageClassName: 'manual' },
    };
    const created = await api(cp.config, 'POST', PVS, pv);
    expect(created.body).toMatchObject({
      metadata: { finalizers: ['kubernetes.io/pv-protection'] },
      spec: { persistentVolumeReclaimPolicy: 'Retain' },
      status: { phase: 'Pending' },
    });
    const bad = await api(cp.config, 'POST', PVS, {
      ...pv,
      metadata: { name: 'pv-2' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    });
    expect(bad.code).toBe(422);
    expect(bad.body.message).toBe('PersistentVolume "pv-2" is invalid: spec: Required value: must specify a volume type');
    const table = await api(cp.config, 'GET', PVS, undefined, 'application/json', TABLE);
    expect(table.body.rows[0].cells.slice(0, 9)).toEqual(['pv-1', '1Gi', 'RWO', 'Retain', 'Pending', '', 'manual', '<unset>', '']);
  });

  it('let the viewer read claims but not volumes or write claims', async () => {
    expect((await api(viewer, 'GET', PVCS)).code).toBe(200);
    expect((await api(viewer, 'POST', PVCS, claim('mine'))).code).toBe(403);
  });
});
