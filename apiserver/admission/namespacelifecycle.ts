// The NamespaceLifecycle admission plugin: objects can be created only in a namespace that exists and is
// not being deleted.
import type { KubeObject } from '../../shared/api/meta';
import { forbidden, notFound } from '../../shared/errors';
import type { Store } from '../registry/store';

export async function admitNamespace(namespaces: Store, namespace: string, resourceName: string): Promise<void> {
  let ns: KubeObject;
  try {
    ns = await namespaces.get(undefined, namespace);
  } catch {
    throw notFound('namespaces', namespace);
  }
  if (ns.metadata.deletionTimestamp) {
    throw forbidden(`${resourceName} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { name: namespace, kind: 'namespaces' });
  }
}
