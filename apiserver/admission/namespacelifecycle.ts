// The NamespaceLifecycle admission plugin: objects can be created only in a namespace that exists and is
// not being deleted.
import { forbidden } from '../../shared/errors';
import type { Store } from '../registry/store';

/** A missing namespace is a 404 NotFound; storage failures pass through (503 while etcd is unreachable). */
export async function admitNamespace(namespaces: Store, namespace: string, resourceName: string): Promise<void> {
  const ns = await namespaces.get(undefined, namespace);
  if (ns.metadata.deletionTimestamp) {
    throw forbidden(`${resourceName} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { name: namespace, kind: 'namespaces' });
  }
}
