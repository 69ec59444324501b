// The PVC protection controller (pkg/controller/volume/pvcprotection): a claim carries the
// kubernetes.io/pvc-protection finalizer from its creation (admission adds it; this controller adds it to
// claims made before), and once deleted it keeps it, Terminating, until no pod that is not finished uses
// it. Then the finalizer goes and the claim with it, and the PV controller releases its volume.
import type { PersistentVolumeClaim, Pod } from '../../../shared/api/core';
import { objectKey, splitKey } from '../../../shared/api/meta';
import { PersistentVolumeClaims, Pods } from '../../../shared/api/resources';
import { podClaimNames } from '../../../shared/api/references';
import { PVC_PROTECTION_FINALIZER } from '../../../shared/api/storage';
import type { Clock } from '../../../shared/clock';
import type { Lister, SharedInformerFactory } from '../../../shared/informer';
import { RateLimitingQueue } from '../../../shared/workqueue';
import type { Controller } from '../../controller';

export interface ClaimWriter {
  updateClaim(pvc: PersistentVolumeClaim): Promise<unknown>;
}

const finished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class PVCProtectionController implements Controller {
  readonly name = 'persistentvolumeclaim-protection';
  readonly queue: RateLimitingQueue;
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly pods: Lister<Pod>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: ClaimWriter,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'pvcprotection' });
    const pvcInformer = informers.informerFor<PersistentVolumeClaim>(PersistentVolumeClaims);
    const podInformer = informers.informerFor<Pod>(Pods);
    this.claims = pvcInformer.lister;
    this.pods = podInformer.lister;
    const enqueue = (pvc: PersistentVolumeClaim) => this.queue.add(objectKey(pvc));
    pvcInformer.addEventHandler({ add: enqueue, update: (_o, pvc) => enqueue(pvc) });
    // A pod that goes or finishes may free the claims it used.
    const podChanged = (pod: Pod) => {
      for (const name of podClaimNames(pod)) this.queue.add(`${pod.metadata.namespace}/${name}`);
    };
    podInformer.addEventHandler({ add: podChanged, update: (_o, pod) => podChanged(pod), delete: podChanged });
  }

  /** A pod of the claim's namespace that mounts it and has not finished. */
  private inUse(claim: PersistentVolumeClaim): boolean {
    return this.pods.list(claim.metadata.namespace).some((pod) => !finished(pod) && podClaimNames(pod).has(claim.metadata.name!));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.claims.get(namespace, name);
    if (!cached) return;
    const finalizers = cached.metadata.finalizers ?? [];
    const has = finalizers.includes(PVC_PROTECTION_FINALIZER);
    if (!cached.metadata.deletionTimestamp) {
      if (has) return;
      const claim = structuredClone(cached);
      claim.metadata.finalizers = [...finalizers, PVC_PROTECTION_FINALIZER];
      await this.writer.updateClaim(claim);
      return;
    }
    if (!has || this.inUse(cached)) return;
    const claim = structuredClone(cached);
    claim.metadata.finalizers = finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER);
    await this.writer.updateClaim(claim);
  }
}
