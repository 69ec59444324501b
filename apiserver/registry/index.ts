// One Store per served resource, each with its Strategy. Adding a kind: its descriptor in
// shared/api/resources.ts, then its Strategy in registry/<group>/<resource>.ts, listed here.
import { RESOURCES } from '../../shared/api/resources';
import type { AllocationStorage, Storage } from '../storage/interface';
import { deploymentStrategy } from './apps/deployments';
import { replicaSetStrategy } from './apps/replicasets';
import { horizontalPodAutoscalerStrategy } from './autoscaling/horizontalpodautoscalers';
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
import { secretStrategy } from './core/secrets';
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
function strategies(
  allocations: AllocationStorage,
  config: RegistryConfig,
  namespaces: NamespaceLister,
  stores: Map<string, Store>,
): Strategy[] {
  return [
    namespaceStrategy,
    podStrategy((name) => namespaces.get(name)),
    nodeStrategy,
    serviceStrategy(allocations, config),
    endpointsStrategy,
    eventStrategy(config.eventTTLSeconds),
    configMapStrategy,
    secretStrategy,
    replicaSetStrategy,
    deploymentStrategy,
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
    persistentVolumeClaimStrategy(defaultStorageClassLookup(() => stores.get('storage.k8s.io/storageclasses')!)),
    storageClassStrategy,
  ] as Strategy[];
}

export function buildStores(
  storage: Storage,
  allocations: AllocationStorage,
  config: RegistryConfig,
  namespaces: NamespaceLister,
): Map<string, Store> {
  const stores = new Map<string, Store>();
  const byResource = new Map(strategies(allocations, config, namespaces, stores).map((s) => [s.resource, s]));
  for (const r of RESOURCES) {
    const strategy = byResource.get(r);
    if (!strategy) throw new Error(`no registry strategy for ${r.plural}.${r.group}`);
    stores.set(`${r.group}/${r.plural}`, new Store(storage, strategy));
  }
  return stores;
}
