// The kubelet's volume manager (pkg/kubelet/volumemanager): makes a pod's volumes ready on the host
// before its containers start (volumes.ts does each plugin's SetUp), keeps the files of its configMap,
// secret, downwardAPI and projected volumes following their sources while it runs (the reconciler's
// remount, every sync of the pod, from objects at most OBJECT_CACHE_TTL_MS old; a ServiceAccount token
// changes when the token manager refreshes it), and removes them, and the pod's tokens, with the pod.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../shared/api/core';
import { PersistentVolumeClaims, PersistentVolumes } from '../shared/api/resources';
import type { Client } from '../shared/client';
import { isNotFound } from '../shared/errors';
import { ConfigMapAndSecretManagers, OBJECT_CACHE_TTL_MS } from './configmapsecret';
import { projectedToken, TokenManager } from './tokenmanager';
import { PodVolume, remountVolumes, setUpVolumes, tearDownVolumes, VolumeSources } from './volumes';

/** How the volume manager reads a pod's claims and their volumes (from the apiserver, as the Node authorizer lets it). */
export interface ClaimGetters {
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
}

export class VolumeManager {
  constructor(
    private readonly rootDir: string,
    private readonly managers: ConfigMapAndSecretManagers,
    private readonly tokens?: TokenManager,
    private readonly claims?: ClaimGetters,
  ) {}

  private sources(maxAgeMs: number): VolumeSources {
    return {
      configMap: (ns, name) => this.managers.configMaps.get(ns, name, maxAgeMs),
      secret: (ns, name) => this.managers.secrets.get(ns, name, maxAgeMs),
      persistentVolumeClaim: (ns, name) => this.claims?.persistentVolumeClaim(ns, name) ?? Promise.resolve(undefined),
      persistentVolume: (name) => this.claims?.persistentVolume(name) ?? Promise.resolve(undefined),
      serviceAccountToken: this.tokens && ((pod, projection) => projectedToken(this.tokens!, pod, projection)),
    };
  }

  /** Every volume of the pod, set up from fresh sources; throws with Kubernetes' message when a ConfigMap, Secret or key is missing. */
  async waitForAttachAndMount(pod: Pod): Promise<Map<string, PodVolume>> {
    return setUpVolumes(this.rootDir, pod, this.sources(0));
  }

  /**
   * Rewrites the files of a running pod's volumes that follow their sources, those set up already (by this
   * kubelet or the one before a restart); returns the names of those that changed.
   */
  async remountVolumes(pod: Pod): Promise<string[]> {
    return remountVolumes(this.rootDir, pod, this.sources(OBJECT_CACHE_TTL_MS));
  }

  async unmountPod(uid: string): Promise<void> {
    await tearDownVolumes(this.rootDir, uid);
    this.tokens?.deleteServiceAccountToken(uid);
  }
}

/** Reads claims and volumes fresh from the apiserver each time a pod's volumes are set up; a 404 is undefined. */
export function claimGetters(client: Client): ClaimGetters {
  const orUndefined = <T>(p: Promise<T>) => p.catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  return {
    persistentVolumeClaim: (ns, name) => orUndefined(client.resource<PersistentVolumeClaim>(PersistentVolumeClaims).get(ns, name)),
    persistentVolume: (name) => orUndefined(client.resource<PersistentVolume>(PersistentVolumes).get(undefined, name)),
  };
}
