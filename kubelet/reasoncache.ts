// The kubelet's reasonCache: why each container of a pod is not running, as its last start attempt found
// (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, ...). The status of a
// container that is waiting shows it; a container that starts clears it.

export interface WaitingReason {
  reason: string;
  message?: string;
}

/** Waiting reasons of one pod's containers, by container name. */
export type PodReasons = Map<string, WaitingReason>;

export class ReasonCache {
  private readonly pods = new Map<string, PodReasons>();

  /** The reasons of a pod's containers (a live map, kept until the pod is forgotten). */
  forPod(uid: string): PodReasons {
    let reasons = this.pods.get(uid);
    if (!reasons) this.pods.set(uid, (reasons = new Map()));
    return reasons;
  }

  forgetPod(uid: string): void {
    this.pods.delete(uid);
  }
}
