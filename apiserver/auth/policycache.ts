// The roles and bindings the RBAC authorizer reads, kept in memory: listed from the stores once, then
// followed by a watch (relisting after any watch error), so authorization costs no etcd round trip.
import type { KubeObject } from '../../shared/api/meta';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../shared/api/rbac';
import type { Logger } from '../../shared/log';
import type { Store } from '../registry/store';
import type { PolicySource } from './rbac';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** One resource's objects by namespace/name, mirrored from its store. */
class Mirror<T extends KubeObject> {
  readonly objects = new Map<string, T>();

  constructor(private readonly store: Store, private readonly log: Logger) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const { items, resourceVersion } = await this.store.list(undefined, () => true);
        this.objects.clear();
        for (const o of items) this.objects.set(keyOf(o), o as T);
        await new Promise<void>((resolve) => {
          const onError = (err: Error) => {
            this.log.warn({ resource: this.store.resource.plural, err: err.message }, 'policy watch ended; relisting');
            resolve();
          };
          this.store.watch(undefined, resourceVersion, (e) => {
            if (e.type === 'DELETED') this.objects.delete(keyOf(e.object));
            else this.objects.set(keyOf(e.object), e.object as T);
          }, onError, signal).then(resolve, onError);
        });
      } catch (err) {
        this.log.warn({ resource: this.store.resource.plural, err: String(err) }, 'listing policy failed');
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export class PolicyCache implements PolicySource {
  private readonly roles: Mirror<Role>;
  private readonly clusterRoles: Mirror<ClusterRole>;
  private readonly bindings: Mirror<RoleBinding>;
  private readonly clusterBindings: Mirror<ClusterRoleBinding>;

  constructor(stores: Map<string, Store>, log: Logger) {
    const rbac = (plural: string) => stores.get(`rbac.authorization.k8s.io/${plural}`)!;
    this.roles = new Mirror(rbac('roles'), log);
    this.clusterRoles = new Mirror(rbac('clusterroles'), log);
    this.bindings = new Mirror(rbac('rolebindings'), log);
    this.clusterBindings = new Mirror(rbac('clusterrolebindings'), log);
  }

  /** Keeps the cache current until `signal` aborts. */
  run(signal: AbortSignal): void {
    for (const m of [this.roles, this.clusterRoles, this.bindings, this.clusterBindings]) void m.run(signal);
  }

  clusterRoleBindings(): ClusterRoleBinding[] {
    return [...this.clusterBindings.objects.values()];
  }

  roleBindings(namespace: string): RoleBinding[] {
    return [...this.bindings.objects.values()].filter((b) => b.metadata.namespace === namespace);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.objects.get(`/${name}`);
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.objects.get(`${namespace}/${name}`);
  }
}
