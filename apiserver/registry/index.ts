// One Store per served resource, each with its Strategy.
import type { KubeObject } from '../../shared/api/meta';
import { CertificateSigningRequests, Events, Namespaces, Pods, RESOURCES, ResourceInfo, Services } from '../../shared/api/resources';
import type { AllocationStorage, Storage } from '../storage/interface';
import { certificateSigningRequestStrategy } from './certificates';
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

export interface RegistryConfig extends ServiceRanges {
  /** How long events live after their last write (--event-ttl); 0 keeps them forever. */
  eventTTLSeconds: number;
}

export function buildStores(
  storage: Storage,
  allocations: AllocationStorage,
  config: RegistryConfig,
  namespaces: NamespaceLister,
): Map<string, Store> {
  const stores = new Map<string, Store>();
  const special = new Map<ResourceInfo, Strategy>([
    [Pods, podStrategy((name) => namespaces.get(name))],
    [Services, serviceStrategy(allocations, config)],
    [Namespaces, namespaceStrategy],
    // Events expire, as upstream's event registry has etcd delete them (a lease per TTL window).
    [Events, { resource: Events, ...(config.eventTTLSeconds > 0 ? { ttlSeconds: config.eventTTLSeconds } : {}) }],
    [CertificateSigningRequests, certificateSigningRequestStrategy],
  ]);
  for (const r of RESOURCES) stores.set(`${r.group}/${r.plural}`, new Store(storage, special.get(r) ?? defaultStrategy(r)));
  return stores;
}
