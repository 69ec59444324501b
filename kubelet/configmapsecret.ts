// The kubelet's configMap and secret managers (pkg/kubelet/configmap, pkg/kubelet/secret): how it reads
// the ConfigMaps and Secrets its pods use, for their environment and their volumes. The Node authorizer
// lets a kubelet get only those a pod bound to it refers to, one by name (no list, no watch).
import type { ConfigMap, Container, Pod, Secret } from '../shared/api/core';
import { envReferences } from '../shared/api/references';
import { ConfigMaps, Secrets } from '../shared/api/resources';
import type { Client, ResourceClient } from '../shared/client';
import type { Clock } from '../shared/clock';
import type { KubeObject } from '../shared/api/meta';
import { isNotFound } from '../shared/errors';
import type { EnvSources } from './containerspec';

/** How long a ConfigMap or Secret read for a volume re-sync is used before it is read again. */
export const OBJECT_CACHE_TTL_MS = 10_000;
/** A cached object nobody asked for this long is dropped: no pod of this node uses it any more. */
const UNUSED_MS = 6 * OBJECT_CACHE_TTL_MS;

interface CacheEntry<T> {
  object: T;
  fetchedAt: number;
  usedAt: number;
}

/**
 * The cache-based manager (configMapAndSecretChangeDetectionStrategy: Cache): each object the kubelet's
 * pods use is read by name, as the Node authorizer allows, and kept for a bounded TTL, so that the
 * periodic re-sync of many pods' volumes reads each object at most once per TTL. A container about to
 * start reads it fresh. A missing object is not cached: it is looked for again next time.
 */
export class ObjectManager<T extends KubeObject> {
  private readonly cache = new Map<string, CacheEntry<T>>();

  constructor(
    private readonly objects: Pick<ResourceClient<T>, 'get'>,
    private readonly clock: Clock,
  ) {}

  /** The object, or undefined when it does not exist; one read within the last `maxAgeMs` will do. */
  async get(namespace: string, name: string, maxAgeMs = 0): Promise<T | undefined> {
    const now = this.clock.now();
    for (const [k, e] of this.cache) if (now - e.usedAt > UNUSED_MS) this.cache.delete(k);
    const key = `${namespace}/${name}`;
    const cached = this.cache.get(key);
    if (cached && now - cached.fetchedAt < maxAgeMs) {
      cached.usedAt = now;
      return cached.object;
    }
    try {
      const object = await this.objects.get(namespace, name);
      this.cache.set(key, { object, fetchedAt: now, usedAt: now });
      return object;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.cache.delete(key);
      return undefined;
    }
  }
}

export interface ConfigMapAndSecretManagers {
  configMaps: ObjectManager<ConfigMap>;
  secrets: ObjectManager<Secret>;
}

export const newConfigMapAndSecretManagers = (client: Client, clock: Clock): ConfigMapAndSecretManagers => ({
  configMaps: new ObjectManager(client.resource<ConfigMap>(ConfigMaps), clock),
  secrets: new ObjectManager(client.resource<Secret>(Secrets), clock),
});

/**
 * What these containers of the pod take environment variables from: the ConfigMaps and Secrets they name
 * (a missing one is undefined) and the Service variables of the pod.
 */
export async function envSources(
  managers: ConfigMapAndSecretManagers,
  pod: Pod,
  containers: Container[],
  services: Map<string, string>,
): Promise<EnvSources> {
  const refs = envReferences(containers);
  const ns = pod.metadata.namespace!;
  const sources: EnvSources = { configMaps: new Map(), secrets: new Map(), services };
  for (const name of refs.configMaps) sources.configMaps.set(name, await managers.configMaps.get(ns, name));
  for (const name of refs.secrets) sources.secrets.set(name, await managers.secrets.get(ns, name));
  return sources;
}
