// The kubelet's status manager (pkg/kubelet/status): the one writer of its pods' status. A pod worker sets
// the status it computed and goes on; the manager writes it in the background, one write at a time per
// pod, and a status set while one is being written replaces any not yet written (a sync's status before
// and after it starts containers becomes one write when the first has not gone out yet). A status equal
// to the last one set (or, before any, to the one the apiserver holds) is not written. A conflict (the kubelet's cache
// is behind, often its own last write) is resolved by writing the same status on the latest object, since
// the status is all ours.
import type { Pod, PodStatus } from '../shared/api/core';
import type { ResourceClient } from '../shared/client';
import { semanticallyEqual } from '../shared/equality';
import { isConflict, isNotFound } from '../shared/errors';
import type { Logger } from '../shared/log';

interface PodStatusState {
  /** The last status set, written or waiting to be. */
  status?: PodStatus;
  /** The status waiting to be written, on the pod it was computed for. */
  pending?: Pod;
  /** The pod as the apiserver returned it after our last write: the base of the next. */
  stored?: Pod;
  /** Whether a write of this pod is under way. */
  writing: boolean;
}

export class StatusManager {
  private readonly pods = new Map<string, PodStatusState>();

  constructor(
    private readonly client: Pick<ResourceClient<Pod>, 'get' | 'updateStatus'>,
    private readonly log: Logger,
  ) {}

  /** The pod with the status last set for it (written or not yet): what its next status is computed from. */
  podWithStatus(pod: Pod): Pod {
    const status = this.pods.get(pod.metadata.uid!)?.status;
    return status ? { ...pod, status } : pod;
  }

  /** Sets the pod's status; it is written in the background unless it is the last one set (or the apiserver's, before any). */
  setPodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid!;
    let state = this.pods.get(uid);
    if (semanticallyEqual(status, state?.status ?? pod.status)) return;
    if (!state) this.pods.set(uid, (state = { writing: false }));
    Object.assign(state, { status, pending: { ...pod, status } });
    if (!state.writing) void this.writeAll(state);
  }

  /** Forgets a pod whose containers are gone. */
  forgetPod(uid: string): void {
    this.pods.delete(uid);
  }

  /** Writes the pod's pending status until none is left. */
  private async writeAll(state: PodStatusState): Promise<void> {
    while (state.pending) {
      const pod = state.pending;
      Object.assign(state, { pending: undefined, writing: true });
      try {
        const stored = await this.write(state.stored ?? pod, pod.status!);
        if (stored) state.stored = stored;
      } catch (err) {
        this.log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'writing the pod status failed');
        // Not written: the next sync computes it again and, as the apiserver does not have it, sets it again.
        if (state.status === pod.status) state.status = undefined;
      } finally {
        state.writing = false;
      }
    }
  }

  /** One write of `status` on `base` (the pod as last known); undefined if the pod is gone. */
  private async write(base: Pod, status: PodStatus): Promise<Pod | undefined> {
    try {
      return await this.client.updateStatus({ ...base, status });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isConflict(err)) throw err;
      const latest = await this.client.get(base.metadata.namespace, base.metadata.name!);
      return latest.metadata.uid === base.metadata.uid ? this.client.updateStatus({ ...latest, status }) : undefined;
    }
  }
}
