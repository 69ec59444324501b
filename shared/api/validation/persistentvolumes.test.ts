import { decodeObject } from '../decode';
import type { PersistentVolume, PersistentVolumeClaim } from '../core';
import { defaultPersistentVolume, defaultPersistentVolumeClaim } from '../defaults/core';
import { PersistentVolumeClaims, PersistentVolumes } from '../resources';
import { validatePersistentVolume, validatePersistentVolumeClaim } from './persistentvolumes';

const pv = (spec: object): PersistentVolume => {
  const obj = decodeObject(PersistentVolumes, { metadata: { name: 'data' }, spec }) as PersistentVolume;
  defaultPersistentVolume(obj);
  return obj;
};
const pvc = (spec: object, status?: object): PersistentVolumeClaim => {
  const obj = decodeObject(PersistentVolumeClaims, {
    metadata: { name: 'data', namespace: 'default' },
    spec,
    status,
  }) as PersistentVolumeClaim;
  defaultPersistentVolumeClaim(obj);
  return obj;
};
const pvMessages = (v: PersistentVolume, old?: PersistentVolume) => validatePersistentVolume(v, old).map((c) => `${c.field}: ${c.message}`);
const pvcMessages = (c: PersistentVolumeClaim, old?: PersistentVolumeClaim) =>
  validatePersistentVolumeClaim(c, old).map((e) => `${e.field}: ${e.message}`);

const HOST = { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/data' } };

describe('PersistentVolume validation', () => {
  it('accepts a hostPath volume and defaults Retain, Filesystem and the Pending phase', () => {
    const v = pv(HOST);
    expect(pvMessages(v)).toEqual([]);
    expect(v.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(v.spec.volumeMode).toBe('Filesystem');
    expect(v.status?.phase).toBe('Pending');
  });

  it('names what is missing as Kubernetes does', () => {
    expect(pvMessages(pv({}))).toEqual([
      'spec.accessModes: Required value',
      'spec.capacity: Required value',
      'spec.capacity: Unsupported value: {}: supported values: "storage"',
      'spec: Required value: must specify a volume type',
    ]);
    expect(pvMessages(pv({ ...HOST, accessModes: ['ReadWriteSometimes'] }))).toEqual([
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ]);
    expect(pvMessages(pv({ ...HOST, hostPath: undefined, local: { path: '/mnt/disk' } }))).toEqual([
      'spec.nodeAffinity: Required value: Local volume requires node affinity',
    ]);
    expect(pvMessages(pv({ ...HOST, hostPath: { path: '/srv/../etc' } }))).toEqual([
      `spec.hostPath.path: Invalid value: "/srv/../etc": must not contain '..'`,
    ]);
    expect(pvMessages(pv({ ...HOST, persistentVolumeReclaimPolicy: 'Keep' }))).toEqual([
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ]);
  });

  it('keeps the volume source fixed after creation, but lets the claimRef and policy change', () => {
    const old = pv(HOST);
    expect(pvMessages(pv({ ...HOST, hostPath: { path: '/elsewhere' } }), old)).toEqual([
      'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
    ]);
    expect(
      pvMessages(pv({ ...HOST, claimRef: { namespace: 'default', name: 'data' }, persistentVolumeReclaimPolicy: 'Delete' }), old),
    ).toEqual([]);
  });
});

describe('PersistentVolumeClaim validation', () => {
  const CLAIM = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

  it('wants access modes and a storage request', () => {
    expect(pvcMessages(pvc(CLAIM))).toEqual([]);
    expect(pvcMessages(pvc({}))).toEqual([
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
    expect(pvcMessages(pvc({ ...CLAIM, resources: { requests: { storage: '0' } } }))).toEqual([
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ]);
  });

  it('is immutable but for binding, a class given to a claim without one, and growing a bound claim', () => {
    const old = pvc(CLAIM);
    expect(pvcMessages(pvc({ ...CLAIM, volumeName: 'pv-1' }), old)).toEqual([]);
    expect(pvcMessages(pvc({ ...CLAIM, storageClassName: 'local-path' }), old)).toEqual([]);
    expect(pvcMessages(pvc({ ...CLAIM, accessModes: ['ReadWriteMany'] }), old)).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    const bound = pvc({ ...CLAIM, volumeName: 'pv-1' }, { phase: 'Bound' });
    expect(
      pvcMessages(pvc({ ...CLAIM, volumeName: 'pv-1', resources: { requests: { storage: '2Gi' } } }, { phase: 'Bound' }), bound),
    ).toEqual([]);
    expect(pvcMessages(pvc({ ...CLAIM, volumeName: 'pv-2' }), bound)).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
  });
});
