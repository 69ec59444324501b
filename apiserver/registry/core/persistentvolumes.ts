// PersistentVolumes: storage in the cluster, made by an administrator or a provisioner, bound to at most
// one claim (spec.claimRef) by the PV controller. Cluster-scoped. Created Pending with the pv-protection
// finalizer (StorageObjectInUseProtection admission), so a bound volume outlives its delete until the
// controller sees it free. Printed as NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS
// VOLUMEATTRIBUTESCLASS REASON AGE, and VOLUMEMODE with -o wide.
import type { PersistentVolume } from '../../../shared/api/core';
import { defaultPersistentVolume } from '../../../shared/api/defaults/core';
import { PersistentVolumes } from '../../../shared/api/resources';
import { PV_PROTECTION_FINALIZER } from '../../../shared/api/storage';
import { validatePersistentVolume } from '../../../shared/api/validation/persistentvolumes';
import { accessModesString } from '../../../shared/pvhelpers';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

export function addFinalizer(obj: { metadata: { finalizers?: string[] } }, finalizer: string): void {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) obj.metadata.finalizers = [...finalizers, finalizer];
}

export const persistentVolumeStrategy: Strategy<PersistentVolume> = {
  resource: PersistentVolumes,
  defaults: defaultPersistentVolume,
  validate: validatePersistentVolume,
  printer: {
    columns: [
      col('Capacity'),
      col('Access Modes'),
      col('Reclaim Policy'),
      col('Status'),
      col('Claim'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Reason'),
      col('Age'),
      col('VolumeMode', 1),
    ],
    cells: (pv, now) => [
      pv.spec.capacity?.storage ?? '0',
      accessModesString(pv.spec.accessModes),
      pv.spec.persistentVolumeReclaimPolicy ?? '',
      pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
      pv.spec.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '',
      pv.spec.storageClassName ?? '',
      pv.spec.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      age(pv.metadata.creationTimestamp, now),
      pv.spec.volumeMode ?? '<unset>',
    ],
  },
  prepareForCreate(pv) {
    pv.status = { phase: 'Pending', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    addFinalizer(pv, PV_PROTECTION_FINALIZER);
  },
  prepareForUpdate(pv, old) {
    // A new phase is stamped with the time it was entered (PersistentVolumeLastPhaseTransitionTime).
    if (pv.status?.phase !== old.status?.phase && pv.status)
      pv.status.lastPhaseTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  },
};
