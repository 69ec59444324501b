// The NamespaceLifecycle admission plugin: objects can be created only in a namespace that exists and is
// not being deleted.
import { forbidden, notFound } from '../../shared/errors';
import type { NamespaceLister } from '../registry/core/namespaces';

/** A missing namespace is a 404 NotFound; storage failures pass through (503 while etcd is unreachable). */
export async function admitNamespace(namespaces: NamespaceLister, namespace: string, resourceName: string): Promise<void> {
  const ns = await namespaces.get(namespace);
  if (!ns) throw notFound('namespaces', namespace);
  if (ns.metadata.deletionTimestamp) {
    throw forbidden(`${resourceName} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
      name: namespace,
      kind: 'namespaces',
    });
  }
}
