// The roles and bindings the RBAC authorizer reads, kept in memory by informers over their stores, so
// authorization costs no etcd round trip.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../shared/api/rbac';
import { ClusterRoleBindings, ClusterRoles, ResourceInfo, RoleBindings, Roles } from '../../shared/api/resources';
import { Informer } from '../../shared/informer';
import type { KubeObject } from '../../shared/api/meta';
import type { Logger } from '../../shared/log';
import { storeListerWatcher } from '../registry/listerwatcher';
import type { PolicySource } from './rbac';
import type { Stores } from '../registry';

export class PolicyCache implements PolicySource {
  private readonly roles: Informer<Role>;
  private readonly clusterRoles: Informer<ClusterRole>;
  private readonly bindings: Informer<RoleBinding>;
  private readonly clusterBindings: Informer<ClusterRoleBinding>;

  constructor(stores: Stores, log: Logger) {
    const informer = <T extends KubeObject>(r: ResourceInfo) => new Informer<T>(storeListerWatcher(stores.of(r)), r, { logger: log });
    this.roles = informer(Roles);
    this.clusterRoles = informer(ClusterRoles);
    this.bindings = informer(RoleBindings);
    this.clusterBindings = informer(ClusterRoleBindings);
  }

  /** Keeps the cache current until `signal` aborts. */
  run(signal: AbortSignal): void {
    for (const informer of [this.roles, this.clusterRoles, this.bindings, this.clusterBindings]) {
      informer.run();
      signal.addEventListener('abort', () => informer.stop(), { once: true });
    }
  }

  clusterRoleBindings(): ClusterRoleBinding[] {
    return this.clusterBindings.lister.list();
  }

  roleBindings(namespace: string): RoleBinding[] {
    return this.bindings.lister.list(namespace);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.lister.get(undefined, name);
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.lister.get(namespace, name);
  }
}
