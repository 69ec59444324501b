// The service-account controller (kube-controller-manager's serviceaccount-controller): every active
// namespace has a ServiceAccount named `default`, created with the namespace and created again when it is
// deleted. Pods that name no service account run as it. A namespace being deleted gets none: its objects
// are on their way out.
import type { Namespace, ServiceAccount } from '../../shared/api/core';
import { Namespaces, ServiceAccounts } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { isAlreadyExists, isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

/** The service accounts every namespace has (upstream's DefaultServiceAccountsControllerOptions). */
export const SERVICE_ACCOUNTS = ['default'];

/** The one write the controller makes. */
export interface ServiceAccountCreator {
  create(sa: ServiceAccount): Promise<void>;
}

const isActive = (ns: Namespace): boolean => !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating';

/** The service accounts a namespace is missing, given those it has. */
export function missingServiceAccounts(ns: Namespace, existing: (name: string) => boolean): ServiceAccount[] {
  if (!isActive(ns)) return [];
  return SERVICE_ACCOUNTS.filter((name) => !existing(name)).map((name) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: ns.metadata.name },
  }));
}

export class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount';
  readonly queue: RateLimitingQueue;
  private readonly namespaces: Lister<Namespace>;
  private readonly serviceAccounts: Lister<ServiceAccount>;

  constructor(
    informers: SharedInformerFactory,
    private readonly creator: ServiceAccountCreator,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'serviceaccount' });
    const nss = informers.informerFor<Namespace>(Namespaces);
    const sas = informers.informerFor<ServiceAccount>(ServiceAccounts);
    this.namespaces = nss.lister;
    this.serviceAccounts = sas.lister;
    const onNamespace = (ns: Namespace) => this.queue.add(ns.metadata.name!);
    nss.addEventHandler({ add: onNamespace, update: (_o, ns) => onNamespace(ns) });
    sas.addEventHandler({ delete: (sa) => this.queue.add(sa.metadata.namespace!) });
  }

  /** key: a namespace's name. */
  async sync(key: string): Promise<void> {
    const ns = this.namespaces.get('', key);
    if (!ns) return;
    for (const sa of missingServiceAccounts(ns, (name) => !!this.serviceAccounts.get(key, name))) {
      try {
        await this.creator.create(sa);
      } catch (err) {
        // Already there: the cache is behind. Not found: the namespace went meanwhile.
        if (!isAlreadyExists(err) && !isNotFound(err)) throw err;
      }
    }
  }
}
