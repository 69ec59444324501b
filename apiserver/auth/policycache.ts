// The roles and bindings the RBAC authorizer reads, kept in memory (StoreMirror), so authorization costs
// no etcd round trip.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../shared/api/rbac';
import type { Logger } from '../../shared/log';
import { StoreMirror } from '../registry/mirror';
import type { Store } from '../registry/store';
import type { PolicySource } from './rbac';

export class PolicyCache implements PolicySource {
  private readonly roles: StoreMirror<Role>;
  private readonly clusterRoles: StoreMirror<ClusterRole>;
  private readonly bindings: StoreMirror<RoleBinding>;
  private readonly clusterBindings: StoreMirror<ClusterRoleBinding>;

  constructor(stores: Map<string, Store>, log: Logger) {
    const rbac = (plural: string) => stores.get(`rbac.authorization.k8s.io/${plural}`)!;
    this.roles = new StoreMirror(rbac('roles'), log);
    this.clusterRoles = new StoreMirror(rbac('clusterroles'), log);
    this.bindings = new StoreMirror(rbac('rolebindings'), log);
    this.clusterBindings = new StoreMirror(rbac('clusterrolebindings'), log);
  }

  /** Keeps the cache current until `signal` aborts. */
  run(signal: AbortSignal): void {
    for (const m of [this.roles, this.clusterRoles, this.bindings, this.clusterBindings]) void m.run(signal);
  }

  clusterRoleBindings(): ClusterRoleBinding[] {
    return [...this.clusterBindings.values()];
  }

  roleBindings(namespace: string): RoleBinding[] {
    return [...this.bindings.values()].filter((b) => b.metadata.namespace === namespace);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(undefined, name);
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.get(namespace, name);
  }
}
