// Kubernetes' storage.Preconditions.Check: a delete or update may say which object it means (its uid) and
// which state of it (its resourceVersion); the stored object must still be that one.
import type { KubeObject } from '../../shared/api/meta';
import { StorageError } from './errors';
import type { Preconditions } from './interface';

export function checkPreconditions(key: string, current: KubeObject, p: Preconditions = {}): void {
  const meta = current.metadata;
  if (p.uid && p.uid !== meta.uid) {
    throw new StorageError('Conflict', key, {
      detail: `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${meta.uid}`,
    });
  }
  if (p.resourceVersion && p.resourceVersion !== meta.resourceVersion) {
    throw new StorageError('Conflict', key, {
      detail: `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
    });
  }
}
