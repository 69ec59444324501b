// The ReplicaSet controller: keeps exactly spec.replicas active pods matching the selector, adopting
// orphans and releasing pods that no longer match, and reports status.
import type { ReplicaSet, ReplicaSetStatus } from '../../shared/api/apps';
import type { Pod } from '../../shared/api/core';
import { controllerOf, objectKey, splitKey } from '../../shared/api/meta';
import { Pods, ReplicaSets } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { selectorFromLabelSelector } from '../../shared/labels';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, isPodActive, isPodAvailable, isPodReady, ownerKey } from '../controller';
import { Expectations } from '../expectations';
import { controllerRef, PodControl } from '../podcontrol';

/** At most this many pods are created or deleted in one sync (Kubernetes' burstReplicas). */
const BURST_REPLICAS = 500;

export interface StatusWriter {
  updateStatus(rs: ReplicaSet): Promise<void>;
  /** Adopts (adds our controller ref) or releases (removes it) a pod. */
  patchPodOwners(pod: Pod, ownerReferences: Pod['metadata']['ownerReferences']): Promise<void>;
}

/**
 * Which pods to delete first, as Kubernetes ranks them: unscheduled before scheduled, pending before
 * running, not ready before ready, then the most recently created.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const rank = (p: Pod) => [
    p.spec.nodeName ? 1 : 0,
    p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Unknown' ? 1 : 2,
    isPodReady(p) ? 1 : 0,
  ];
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}

export function calculateStatus(rs: ReplicaSet, pods: Pod[], now: number): ReplicaSetStatus {
  const selector = selectorFromLabelSelector(
    rs.spec.template.metadata?.labels ? { matchLabels: rs.spec.template.metadata.labels } : undefined,
  );
  return {
    replicas: pods.length,
    fullyLabeledReplicas: pods.filter((p) => selector.matches(p.metadata.labels)).length,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, rs.spec.minReadySeconds ?? 0, now)).length,
    observedGeneration: rs.metadata.generation,
  };
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly queue: RateLimitingQueue;
  readonly expectations: Expectations;
  private readonly rsLister: Lister<ReplicaSet>;
  private readonly podLister: Lister<Pod>;

  constructor(
    informers: SharedInformerFactory,
    private readonly podControl: PodControl,
    private readonly writer: StatusWriter,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'replicaset' });
    this.expectations = new Expectations(clock);
    const rsInformer = informers.informerFor<ReplicaSet>(ReplicaSets);
    const podInformer = informers.informerFor<Pod>(Pods);
    this.rsLister = rsInformer.lister;
    this.podLister = podInformer.lister;
    rsInformer.addEventHandler({
      add: (rs) => this.queue.add(objectKey(rs)),
      update: (_old, rs) => this.queue.add(objectKey(rs)),
      delete: (rs) => this.queue.add(objectKey(rs)),
    });
    podInformer.addEventHandler({
      add: (pod) => {
        const key = ownerKey(pod, 'ReplicaSet');
        if (key) {
          this.expectations.observedAdd(key);
          this.queue.add(key);
        } else this.enqueueMatching(pod);
      },
      update: (old, pod) => {
        const key = ownerKey(pod, 'ReplicaSet');
        const oldKey = ownerKey(old, 'ReplicaSet');
        if (oldKey && oldKey !== key) this.queue.add(oldKey);
        if (key) this.queue.add(key);
        else this.enqueueMatching(pod);
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && key) this.expectations.observedDelete(key);
      },
      delete: (pod) => {
        const key = ownerKey(pod, 'ReplicaSet');
        if (!key) return;
        if (!pod.metadata.deletionTimestamp) this.expectations.observedDelete(key);
        this.queue.add(key);
      },
    });
  }

  /** An orphan pod: the ReplicaSets whose selector matches it may adopt it. */
  private enqueueMatching(pod: Pod): void {
    for (const rs of this.rsLister.list(pod.metadata.namespace)) {
      if (selectorFromLabelSelector(rs.spec.selector).matches(pod.metadata.labels)) this.queue.add(objectKey(rs));
    }
  }

  /** The pods this ReplicaSet controls, after adopting matching orphans and releasing non-matching pods. */
  private async claimPods(rs: ReplicaSet): Promise<Pod[]> {
    const selector = selectorFromLabelSelector(rs.spec.selector);
    const claimed: Pod[] = [];
    for (const pod of this.podLister.list(rs.metadata.namespace)) {
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref?.uid === rs.metadata.uid) {
        if (matches) claimed.push(pod);
        else
          await this.writer.patchPodOwners(
            pod,
            (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid),
          );
      } else if (!ref && matches && !pod.metadata.deletionTimestamp && !rs.metadata.deletionTimestamp) {
        await this.writer.patchPodOwners(pod, [...(pod.metadata.ownerReferences ?? []), controllerRef(rs, 'apps/v1', 'ReplicaSet')]);
        claimed.push(pod);
      }
    }
    return claimed;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.rsLister.get(namespace, name);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const pods = (await this.claimPods(rs)).filter(isPodActive);
    if (this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp) await this.manageReplicas(key, rs, pods);
    const status = calculateStatus(rs, pods, this.clock.now());
    if (!semanticallyEqual({ ...rs.status, conditions: undefined }, status)) {
      try {
        await this.writer.updateStatus({ ...rs, status: { ...rs.status, ...status } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    // Pods become available minReadySeconds after they are ready: look again then.
    if (rs.spec.minReadySeconds && status.readyReplicas !== status.availableReplicas)
      this.queue.addAfter(key, rs.spec.minReadySeconds * 1000);
  }

  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<void> {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const rsObj = { ...rs, kind: 'ReplicaSet', apiVersion: 'apps/v1' };
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expect(key, count, 0);
      // Slow start: 1, 2, 4, ... so a failing create (quota, invalid template) fails fast.
      let created = 0;
      for (let batch = 1; created < count; batch *= 2) {
        const size = Math.min(batch, count - created);
        const results = await Promise.allSettled(
          Array.from({ length: size }, () =>
            this.podControl.createPod(
              rs.metadata.namespace!,
              rs.spec.template,
              controllerRef(rs, 'apps/v1', 'ReplicaSet'),
              `${rs.metadata.name}-`,
            ),
          ),
        );
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        for (const r of results)
          if (r.status === 'fulfilled') this.recorder.event(rsObj, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
        created += size;
        if (failed.length) {
          this.expectations.lower(key, failed.length + (count - created), 0);
          this.recorder.event(rsObj, 'Warning', 'FailedCreate', `Error creating: ${(failed[0].reason as Error).message}`);
          throw failed[0].reason;
        }
      }
    } else if (diff > 0) {
      const victims = [...pods].sort(deletionOrder).slice(0, Math.min(diff, BURST_REPLICAS));
      this.expectations.expect(key, 0, victims.length);
      await Promise.all(
        victims.map(async (pod) => {
          await this.podControl.deletePod(pod.metadata.namespace!, pod.metadata.name!);
          this.recorder.event(rsObj, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        }),
      );
    }
  }
}
