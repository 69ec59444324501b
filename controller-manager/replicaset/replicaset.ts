// The ReplicaSet controller: keeps exactly spec.replicas active pods matching the selector, adopting
// orphans and releasing pods that no longer match, and reports status. It keeps ReplicaSets, and through
// a ReplicaSetKind that sees them as ReplicaSets, ReplicationControllers (../replication/), as upstream's
// replication manager is the replicaset controller over converted objects.
import type { ReplicaSet, ReplicaSetStatus } from '../../shared/api/apps';
import type { Pod } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { controllerOf, objectKey, splitKey } from '../../shared/api/meta';
import { apiVersionOf, Pods, ReplicaSets, ResourceInfo } from '../../shared/api/resources';
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

/** The kind a ReplicaSetController keeps, and how it reads one as a ReplicaSet. */
export interface ReplicaSetKind<T extends KubeObject> {
  resource: ResourceInfo;
  /** The controller's name (its work queue's, in metrics). */
  name: string;
  /** The object as a ReplicaSet: the same spec, with a LabelSelector. */
  asReplicaSet(obj: T): ReplicaSet;
}

export const ReplicaSetKind: ReplicaSetKind<ReplicaSet> = { resource: ReplicaSets, name: 'replicaset', asReplicaSet: (rs) => rs };

export interface StatusWriter<T extends KubeObject = ReplicaSet> {
  /** Writes the object (as its own kind) with the status the controller computed. */
  updateStatus(obj: T): Promise<void>;
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

export class ReplicaSetController<T extends KubeObject = ReplicaSet> implements Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue;
  readonly expectations: Expectations;
  private readonly lister: Lister<T>;
  private readonly podLister: Lister<Pod>;
  private readonly kind: string;
  private readonly apiVersion: string;

  constructor(
    informers: SharedInformerFactory,
    private readonly podControl: PodControl,
    private readonly writer: StatusWriter<T>,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
    private readonly of: ReplicaSetKind<T> = ReplicaSetKind as unknown as ReplicaSetKind<T>,
  ) {
    this.name = of.name;
    this.kind = of.resource.kind;
    this.apiVersion = apiVersionOf(of.resource);
    this.queue = new RateLimitingQueue({ clock, name: of.name });
    this.expectations = new Expectations(clock);
    const rsInformer = informers.informerFor<T>(of.resource);
    const podInformer = informers.informerFor<Pod>(Pods);
    this.lister = rsInformer.lister;
    this.podLister = podInformer.lister;
    rsInformer.addEventHandler({
      add: (rs) => this.queue.add(objectKey(rs)),
      update: (_old, rs) => this.queue.add(objectKey(rs)),
      delete: (rs) => this.queue.add(objectKey(rs)),
    });
    podInformer.addEventHandler({
      add: (pod) => {
        const key = ownerKey(pod, this.kind);
        if (key) {
          this.expectations.observedAdd(key);
          this.queue.add(key);
        } else this.enqueueMatching(pod);
      },
      update: (old, pod) => {
        const key = ownerKey(pod, this.kind);
        const oldKey = ownerKey(old, this.kind);
        if (oldKey && oldKey !== key) this.queue.add(oldKey);
        if (key) this.queue.add(key);
        else this.enqueueMatching(pod);
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && key) this.expectations.observedDelete(key);
      },
      delete: (pod) => {
        const key = ownerKey(pod, this.kind);
        if (!key) return;
        if (!pod.metadata.deletionTimestamp) this.expectations.observedDelete(key);
        this.queue.add(key);
      },
    });
  }

  /** An orphan pod: the ReplicaSets whose selector matches it may adopt it. */
  private enqueueMatching(pod: Pod): void {
    for (const obj of this.lister.list(pod.metadata.namespace)) {
      if (selectorFromLabelSelector(this.of.asReplicaSet(obj).spec.selector).matches(pod.metadata.labels)) this.queue.add(objectKey(obj));
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
        await this.writer.patchPodOwners(pod, [...(pod.metadata.ownerReferences ?? []), controllerRef(rs, this.apiVersion, this.kind)]);
        claimed.push(pod);
      }
    }
    return claimed;
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const obj = this.lister.get(namespace, name);
    if (!obj) {
      this.expectations.forget(key);
      return;
    }
    const rs = this.of.asReplicaSet(obj);
    const pods = (await this.claimPods(rs)).filter(isPodActive);
    if (this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp) await this.manageReplicas(key, rs, pods);
    const status = calculateStatus(rs, pods, this.clock.now());
    if (!semanticallyEqual({ ...rs.status, conditions: undefined }, status)) {
      try {
        await this.writer.updateStatus({ ...obj, status: { ...rs.status, ...status } });
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
    const rsObj = { ...rs, kind: this.kind, apiVersion: this.apiVersion };
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
              controllerRef(rs, this.apiVersion, this.kind),
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
