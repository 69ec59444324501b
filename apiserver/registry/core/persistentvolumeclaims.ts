// PersistentVolumeClaims: a user's request for storage, bound to one PersistentVolume by the PV controller.
// Created Pending with the pvc-protection finalizer (StorageObjectInUseProtection admission: the claim
// stays while a pod uses it) and, when it names no class, the default StorageClass (DefaultStorageClass
// admission). Printed as NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE,
// and VOLUMEMODE with -o wide; capacity and modes are those of the bound volume.
import type { PersistentVolumeClaim } from '../../../shared/api/core';
import { defaultPersistentVolumeClaim } from '../../../shared/api/defaults/core';
import { PersistentVolumeClaims } from '../../../shared/api/resources';
import { PVC_PROTECTION_FINALIZER } from '../../../shared/api/storage';
import { validatePersistentVolumeClaim } from '../../../shared/api/validation/persistentvolumes';
import { accessModesString } from '../../../shared/pvhelpers';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';
import { addFinalizer } from './persistentvolumes';

/** The name of the default StorageClass, if any (the newest when several claim to be). */
export type DefaultStorageClassLookup = () => Promise<string | undefined>;

export function persistentVolumeClaimStrategy(defaultClass: DefaultStorageClassLookup): Strategy<PersistentVolumeClaim> {
  return {
    resource: PersistentVolumeClaims,
    defaults: defaultPersistentVolumeClaim,
    validate: validatePersistentVolumeClaim,
    printer: {
      columns: [
        col('Status'),
        col('Volume'),
        col('Capacity'),
        col('Access Modes'),
        col('StorageClass'),
        col('VolumeAttributesClass'),
        col('Age'),
        col('VolumeMode', 1),
      ],
      cells: (pvc, now) => {
        const bound = !!pvc.spec.volumeName;
        return [
          pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
          pvc.spec.volumeName ?? '',
          bound ? (pvc.status?.capacity?.storage ?? '0') : '',
          bound ? accessModesString(pvc.status?.accessModes) : '',
          pvc.spec.storageClassName ?? '',
          pvc.spec.volumeAttributesClassName ?? '<unset>',
          age(pvc.metadata.creationTimestamp, now),
          pvc.spec.volumeMode ?? '<unset>',
        ];
      },
    },
    prepareForCreate(pvc) {
      pvc.status = { phase: 'Pending' };
      addFinalizer(pvc, PVC_PROTECTION_FINALIZER);
    },
    async beforeCreate(pvc) {
      // DefaultStorageClass admission: a claim that names no class (not even '') gets the default one.
      if (pvc.spec.storageClassName !== undefined) return;
      const name = await defaultClass();
      if (name !== undefined) pvc.spec.storageClassName = name;
    },
  };
}
