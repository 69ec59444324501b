// The kubelet's volume manager (pkg/kubelet/volumemanager): makes a pod's volumes ready on the host
// before its containers start (volumes.ts does each plugin's SetUp), keeps the files of its configMap,
// secret, downwardAPI and projected volumes following their sources while it runs (the reconciler's
// remount, every sync of the pod, from objects at most OBJECT_CACHE_TTL_MS old), and removes them with
// the pod.
import type { Pod } from '../shared/api/core';
import { ConfigMapAndSecretManagers, OBJECT_CACHE_TTL_MS } from './configmapsecret';
import { PodVolume, remountVolumes, setUpVolumes, tearDownVolumes, VolumeSources } from './volumes';

export class VolumeManager {
  constructor(
    private readonly rootDir: string,
    private readonly managers: ConfigMapAndSecretManagers,
  ) {}

  private sources(maxAgeMs: number): VolumeSources {
    return {
      configMap: (ns, name) => this.managers.configMaps.get(ns, name, maxAgeMs),
      secret: (ns, name) => this.managers.secrets.get(ns, name, maxAgeMs),
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
  }
}
