// Namespaces: Active on create; a delete makes them Terminating, and they go away only when the
// namespace controller has emptied them and cleared spec.finalizers through the finalize subresource.
import type { Namespace } from '../../../shared/api/core';
import { Namespaces } from '../../../shared/api/resources';
import { validateNamespace } from '../../../shared/api/validation/core';
import { forbidden, isNotFound } from '../../../shared/errors';
import { Informer } from '../../../shared/informer';
import type { Logger } from '../../../shared/log';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import { storeListerWatcher } from '../listerwatcher';
import type { Store } from '../store';
import type { Strategy } from '../strategy';

/** Namespaces that exist in every cluster and cannot be deleted. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const namespaceStrategy: Strategy<Namespace> = {
  resource: Namespaces,
  validate: validateNamespace,
  printer: {
    columns: [col('Status'), col('Age')],
    cells: (ns, now) => [ns.status?.phase ?? 'Active', age(ns.metadata.creationTimestamp, now)],
  },
  prepareForCreate(ns) {
    ns.spec = { finalizers: ['kubernetes'] };
    ns.status = { phase: 'Active' };
    // Without a name, validation answers "name or generateName is required".
    if (ns.metadata.name) ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name };
  },
  prepareForUpdate(ns, old) {
    ns.spec = old.spec;
    ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! };
  },
  prepareForDelete(ns) {
    ns.status = { ...ns.status, phase: 'Terminating' };
  },
  holdsDeletion: (ns) => (ns.spec?.finalizers?.length ?? 0) > 0,
  admitDelete(ns) {
    const name = ns.metadata.name!;
    if (['default', 'kube-system', 'kube-public'].includes(name))
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  },
};

/**
 * Namespace lookups for admission (NamespaceLifecycle, Pod Security): from an informer over the namespace
 * store once it runs, and from storage for a name the informer has not seen yet (created a moment ago).
 */
export class NamespaceLister {
  private informer?: Informer<Namespace>;

  constructor(private readonly store: () => Store) {}

  /** Starts the informer; until then every lookup reads storage. */
  run(signal: AbortSignal, log: Logger): void {
    const informer = new Informer<Namespace>(storeListerWatcher(this.store()), Namespaces, { logger: log });
    this.informer = informer;
    informer.run();
    signal.addEventListener('abort', () => informer.stop(), { once: true });
  }

  /** The namespace, or undefined if there is none; storage errors (etcd down) are thrown. */
  async get(name: string): Promise<Namespace | undefined> {
    const cached = this.informer?.lister.get(undefined, name);
    if (cached) return cached;
    try {
      return (await this.store().get(undefined, name)) as Namespace;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
