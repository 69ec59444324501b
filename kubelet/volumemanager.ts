// The kubelet's volume manager (pkg/kubelet/volumemanager): makes a pod's volumes ready on the host
// before its containers start (volumes.ts does each plugin's SetUp) and removes them with the pod.
import type { Pod } from '../shared/api/core';
import type { ConfigMapAndSecretManagers } from './configmapsecret';
import { PodVolume, setUpVolumes, tearDownVolumes } from './volumes';

export class VolumeManager {
  constructor(
    private readonly rootDir: string,
    private readonly managers: ConfigMapAndSecretManagers,
  ) {}

  /** Every volume of the pod, set up; throws with Kubernetes' message when a ConfigMap, Secret or key is missing. */
  async waitForAttachAndMount(pod: Pod): Promise<Map<string, PodVolume>> {
    return setUpVolumes(this.rootDir, pod, {
      configMap: (ns, name) => this.managers.configMaps.get(ns, name),
      secret: (ns, name) => this.managers.secrets.get(ns, name),
    });
  }

  async unmountPod(uid: string): Promise<void> {
    await tearDownVolumes(this.rootDir, uid);
  }
}
