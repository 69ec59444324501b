// storage.k8s.io/v1 defaulting: a StorageClass deletes the volumes it made when their claims go, and binds
// claims as soon as they are created, unless it says otherwise.
import type { StorageClass } from '../storage';

export function defaultStorageClass(sc: StorageClass): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}
