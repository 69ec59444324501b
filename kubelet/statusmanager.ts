// The kubelet's status manager (pkg/kubelet/status): the one writer of its pods' status. A status equal
// to the one the apiserver holds is not written; a conflict (the kubelet's cache is behind, often its own
// last write) is resolved by writing the same status on the latest object, since the status is all ours.
import type { Pod, PodStatus } from '../shared/api/core';
import type { ResourceClient } from '../shared/client';
import { semanticallyEqual } from '../shared/equality';
import { isConflict, isNotFound } from '../shared/errors';

export class StatusManager {
  constructor(private readonly pods: Pick<ResourceClient<Pod>, 'get' | 'updateStatus'>) {}

  /** Writes the status unless the pod has it already; returns the pod as stored afterwards (to write on next). */
  async setPodStatus(pod: Pod, status: PodStatus): Promise<Pod> {
    if (semanticallyEqual(status, pod.status)) return pod;
    try {
      return await this.pods.updateStatus({ ...pod, status });
    } catch (err) {
      if (isNotFound(err)) return pod;
      if (!isConflict(err)) throw err;
      const latest = await this.pods.get(pod.metadata.namespace, pod.metadata.name!);
      return latest.metadata.uid === pod.metadata.uid ? this.pods.updateStatus({ ...latest, status }) : pod;
    }
  }
}
