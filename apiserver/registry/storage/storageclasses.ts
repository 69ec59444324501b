// StorageClasses (storage.k8s.io/v1): cluster-scoped, immutable but for metadata. Printed as NAME
// PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE, the default class's name followed
// by ` (default)`.
import { StorageClasses } from '../../../shared/api/resources';
import { defaultStorageClass } from '../../../shared/api/defaults/storage';
import { isDefaultStorageClass, StorageClass } from '../../../shared/api/storage';
import { validateStorageClass } from '../../../shared/api/validation/storage';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import { everything } from '../selection';
import type { Store } from '../store';
import type { Strategy } from '../strategy';

export const storageClassStrategy: Strategy<StorageClass> = {
  resource: StorageClasses,
  defaults: defaultStorageClass,
  validate: validateStorageClass,
  printer: {
    name: (sc) => (isDefaultStorageClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name!),
    columns: [col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion', 0, 'boolean'), col('Age')],
    cells: (sc, now) => [
      sc.provisioner,
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      age(sc.metadata.creationTimestamp, now),
    ],
  },
};

/**
 * GetDefaultClass of the DefaultStorageClass admission plugin: of the classes marked default, the newest
 * (by creation time, then name); undefined when none is.
 */
export function defaultStorageClassName(classes: StorageClass[]): string | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort(
    (a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  return defaults[0]?.metadata.name;
}

/** Reads the classes from their store at admission time. */
export const defaultStorageClassLookup = (store: () => Store) => async (): Promise<string | undefined> =>
  defaultStorageClassName((await store().list(undefined, everything)).items as StorageClass[]);
