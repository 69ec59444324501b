// One Store per served resource, each with its Strategy.
import type { KubeObject } from '../../shared/api/meta';
import { Namespaces, Pods, RESOURCES, ResourceInfo, Services } from '../../shared/api/resources';
import type { AllocationStorage, Storage } from '../storage/interface';
import { NamespaceLister, namespaceStrategy } from './namespaces';
import { podStrategy } from './pods';
import { serviceStrategy, ServiceRanges } from './services';
import { Store } from './store';
import type { Strategy } from './strategy';

/** Kinds whose status is written by a controller start with an empty status. */
const STATUS_STARTS_EMPTY = new Set(['Deployment', 'ReplicaSet', 'HorizontalPodAutoscaler']);

function defaultStrategy(resource: ResourceInfo): Strategy {
  if (!STATUS_STARTS_EMPTY.has(resource.kind)) return { resource };
  return {
    resource,
    prepareForCreate(obj: KubeObject) {
      (obj as KubeObject & { status?: unknown }).status =
        resource.kind === 'HorizontalPodAutoscaler' ? { currentReplicas: 0, desiredReplicas: 0 } : {};
    },
  };
}

export function buildStores(
  storage: Storage,
  allocations: AllocationStorage,
  ranges: ServiceRanges,
  namespaces: NamespaceLister,
): Map<string, Store> {
  const stores = new Map<string, Store>();
  const special = new Map<ResourceInfo, Strategy>([
    [Pods, podStrategy((name) => namespaces.get(name))],
    [Services, serviceStrategy(allocations, ranges)],
    [Namespaces, namespaceStrategy],
  ]);
  for (const r of RESOURCES) stores.set(`${r.group}/${r.plural}`, new Store(storage, special.get(r) ?? defaultStrategy(r)));
  return stores;
}
