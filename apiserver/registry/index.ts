// One Store per served resource, each with its Strategy. Adding a kind: its descriptor in
// shared/api/resources.ts, then its Strategy in registry/<group>/<resource>.ts, listed here.
import { groupResource, RESOURCES, StorageClasses } from '../../shared/api/resources';
import type { ResourceInfo } from '../../shared/api/resources';
import type { AllocationStorage, Storage } from '../storage/interface';
import { customResourceDefinitionStrategy } from './apiextensions/customresourcedefinitions';
import { controllerRevisionStrategy } from './apps/controllerrevisions';
import { daemonSetStrategy } from './apps/daemonsets';
import { deploymentStrategy } from './apps/deployments';
import { replicaSetStrategy } from './apps/replicasets';
import { statefulSetStrategy } from './apps/statefulsets';
import { horizontalPodAutoscalerStrategy } from './autoscaling/horizontalpodautoscalers';
import { cronJobStrategy } from './batch/cronjobs';
import { jobStrategy } from './batch/jobs';
import { certificateSigningRequestStrategy } from './certificates/certificatesigningrequests';
import { leaseStrategy } from './coordination/leases';
import { configMapStrategy } from './core/configmaps';
import { endpointsStrategy } from './core/endpoints';
import { eventStrategy } from './core/events';
import { NamespaceLister, namespaceStrategy } from './core/namespaces';
import { nodeStrategy } from './core/nodes';
import { persistentVolumeClaimStrategy } from './core/persistentvolumeclaims';
import { persistentVolumeStrategy } from './core/persistentvolumes';
import { podStrategy } from './core/pods';
import { replicationControllerStrategy } from './core/replicationcontrollers';
import { secretStrategy } from './core/secrets';
import { serviceAccountStrategy } from './core/serviceaccounts';
import { serviceStrategy, ServiceRanges } from './core/services';
import { endpointSliceStrategy } from './discovery/endpointslices';
import { podDisruptionBudgetStrategy } from './policy/poddisruptionbudgets';
import { roleBindingStrategy, clusterRoleBindingStrategy } from './rbac/rolebindings';
import { clusterRoleStrategy, roleStrategy } from './rbac/roles';
import { defaultStorageClassLookup, storageClassStrategy } from './storage/storageclasses';
import { Store } from './store';
import type { Strategy } from './strategy';

export interface RegistryConfig extends ServiceRanges {
  /** How long events live after their last write (--event-ttl); 0 keeps them forever. */
  eventTTLSeconds: number;
}

/** The strategy of every served kind. */
function strategies(allocations: AllocationStorage, config: RegistryConfig, namespaces: NamespaceLister, stores: Stores): Strategy[] {
  return [
    namespaceStrategy,
    podStrategy((name) => namespaces.get(name)),
    nodeStrategy,
    serviceStrategy(allocations, config),
    endpointsStrategy,
    eventStrategy(config.eventTTLSeconds),
    configMapStrategy,
    secretStrategy,
    serviceAccountStrategy,
    replicationControllerStrategy,
    replicaSetStrategy,
    deploymentStrategy,
    jobStrategy,
    cronJobStrategy,
    daemonSetStrategy,
    statefulSetStrategy,
    controllerRevisionStrategy,
    horizontalPodAutoscalerStrategy,
    leaseStrategy,
    endpointSliceStrategy,
    roleStrategy,
    clusterRoleStrategy,
    roleBindingStrategy,
    clusterRoleBindingStrategy,
    certificateSigningRequestStrategy,
    podDisruptionBudgetStrategy,
    persistentVolumeStrategy,
    persistentVolumeClaimStrategy(defaultStorageClassLookup(() => stores.of(StorageClasses))),
    storageClassStrategy,
    customResourceDefinitionStrategy,
  ] as Strategy[];
}

/** The Store of every served resource, looked up by its descriptor. */
export class Stores {
  private readonly byResource = new Map<string, Store>();

  add(store: Store): void {
    this.byResource.set(storeKey(store.resource), store);
  }

  /** The store of a served resource (autoscaling/v1 is served from the v2 one), or undefined. */
  lookup(r: Pick<ResourceInfo, 'group' | 'plural'>): Store | undefined {
    return this.byResource.get(storeKey(r));
  }

  /** The store of a built-in resource: buildStores made one for every descriptor. */
  of(r: ResourceInfo): Store {
    const store = this.lookup(r);
    if (!store) throw new Error(`no store for ${groupResource(r)}`);
    return store;
  }

  values(): IterableIterator<Store> {
    return this.byResource.values();
  }
}

const storeKey = (r: Pick<ResourceInfo, 'group' | 'plural'>) => `${r.group}/${r.plural}`;

export function buildStores(storage: Storage, allocations: AllocationStorage, config: RegistryConfig, namespaces: NamespaceLister): Stores {
  const stores = new Stores();
  const byResource = new Map(strategies(allocations, config, namespaces, stores).map((s) => [s.resource, s]));
  for (const r of RESOURCES) {
    const strategy = byResource.get(r);
    if (!strategy) throw new Error(`no registry strategy for ${groupResource(r)}`);
    stores.add(new Store(storage, strategy));
  }
  return stores;
}
