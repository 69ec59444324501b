// The StatefulSet controller (Kubernetes' pkg/controller/statefulset): pods <name>-0 ... <name>-N-1 with
// a stable identity (hostname, subdomain, labels) and their own claims. OrderedReady creates them in
// order, each once the previous is running and ready, and removes them from the highest ordinal, one at
// a time; Parallel does both at once. A pod that is deleted, fails or succeeds comes back with the same
// name and claims. A RollingUpdate replaces pods from the highest ordinal down to `partition`, one at a
// time, each once the previous is ready; OnDelete only when a pod is deleted. Templates are kept as
// ControllerRevisions: status.currentRevision is the one the pods ran before, updateRevision the current.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../shared/api/apps';
import type { PersistentVolumeClaim, Pod } from '../../shared/api/core';
import { controllerOf, objectKey, splitKey } from '../../shared/api/meta';
import { ControllerRevisions, PersistentVolumeClaims, Pods, StatefulSets } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isAlreadyExists, isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { selectorFromLabelSelector } from '../../shared/labels';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';
import { ownerKey } from '../controller';
import {
  ControllerHistory,
  equalRevisions,
  nextRevision,
  REVISION_HASH_LABEL,
  RevisionClient,
  revisionsToTruncate,
  templateOf,
  templatePatch,
} from '../history/history';
import {
  claimOwnerRefs,
  claimsFor,
  getOrdinal,
  identityMatches,
  isFailed,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newStatefulSetPod,
  revisionOfPod,
  setIdentity,
  startOrdinal,
} from './utils';

/** How the controller changes pods and claims: the API in production, a recorder in tests. */
export interface StatefulPodControl {
  createPod(pod: Pod): Promise<void>;
  updatePod(pod: Pod): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  createClaim(claim: PersistentVolumeClaim): Promise<void>;
  /** Sets a claim's owner references (the retention policy). */
  patchClaimOwners(claim: PersistentVolumeClaim, ownerReferences: PersistentVolumeClaim['metadata']['ownerReferences']): Promise<void>;
  updateStatus(set: StatefulSet): Promise<void>;
}

const apiObject = (set: StatefulSet) => ({ ...set, kind: 'StatefulSet', apiVersion: 'apps/v1' });

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly queue: RateLimitingQueue;
  private readonly setLister: Lister<StatefulSet>;
  private readonly podLister: Lister<Pod>;
  private readonly claimLister: Lister<PersistentVolumeClaim>;
  private readonly history: ControllerHistory;

  constructor(
    informers: SharedInformerFactory,
    private readonly control: StatefulPodControl,
    revisions: RevisionClient,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'statefulset' });
    const setInformer = informers.informerFor<StatefulSet>(StatefulSets);
    const podInformer = informers.informerFor<Pod>(Pods);
    const claimInformer = informers.informerFor<PersistentVolumeClaim>(PersistentVolumeClaims);
    const revisionInformer = informers.informerFor<ControllerRevision>(ControllerRevisions);
    this.setLister = setInformer.lister;
    this.podLister = podInformer.lister;
    this.claimLister = claimInformer.lister;
    this.history = new ControllerHistory(revisionInformer.lister, revisions);
    setInformer.addEventHandler({
      add: (s) => this.queue.add(objectKey(s)),
      update: (_o, s) => this.queue.add(objectKey(s)),
      delete: (s) => this.queue.add(objectKey(s)),
    });
    const podChanged = (pod: Pod) => {
      const key = ownerKey(pod, 'StatefulSet');
      if (key) this.queue.add(key);
      else this.enqueueMatching(pod);
    };
    podInformer.addEventHandler({
      add: podChanged,
      update: (old, pod) => {
        const oldKey = ownerKey(old, 'StatefulSet');
        if (oldKey && oldKey !== ownerKey(pod, 'StatefulSet')) this.queue.add(oldKey);
        podChanged(pod);
      },
      delete: (pod) => {
        const key = ownerKey(pod, 'StatefulSet');
        if (key) this.queue.add(key);
      },
    });
  }

  private enqueueMatching(pod: Pod): void {
    for (const set of this.setLister.list(pod.metadata.namespace))
      if (selectorFromLabelSelector(set.spec.selector).matches(pod.metadata.labels)) this.queue.add(objectKey(set));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.setLister.get(namespace, name);
    if (!set || set.metadata.deletionTimestamp) return;
    const pods = this.claimPods(set);
    const revisions = await this.history.claim(set, selectorFromLabelSelector(set.spec.selector), 'apps/v1', 'StatefulSet');
    const { current, update, collisionCount } = await this.revisions(set, revisions);
    await this.updateStatefulSet(set, current, update, pods);
    await this.updateStatus(set, current, update, collisionCount, pods);
    const live = new Set([current.metadata.name!, update.metadata.name!, ...pods.map((p) => revisionOfPod(p) ?? '')]);
    for (const r of revisionsToTruncate(revisions, live, set.spec.revisionHistoryLimit ?? 10)) {
      try {
        await this.history.client.delete(r.metadata.namespace!, r.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (
      set.spec.minReadySeconds &&
      pods.some((p) => isRunningAndReady(p) && !isRunningAndAvailable(p, set.spec.minReadySeconds!, this.clock.now()))
    )
      this.queue.addAfter(key, set.spec.minReadySeconds * 1000);
  }

  /** The pods of this set: controlled by it (orphans of its name and selector are not adopted here). */
  private claimPods(set: StatefulSet): Pod[] {
    return this.podLister.list(set.metadata.namespace).filter((p) => controllerOf(p)?.uid === set.metadata.uid && getOrdinal(set, p) >= 0);
  }

  /**
   * getStatefulSetRevisions: the update revision is the current template's (the newest revision if equal,
   * an older equal one renumbered, or a new one); the current revision is status.currentRevision's, or the
   * update revision when there is none yet.
   */
  private async revisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const data = templatePatch(set.spec.template);
    const probe = ControllerHistory.newRevision(
      set,
      'apps/v1',
      'StatefulSet',
      set.spec.template.metadata?.labels,
      data,
      nextRevision(revisions),
      collisionCount || undefined,
      REVISION_HASH_LABEL,
    );
    const equal = revisions.filter((r) => equalRevisions(r, probe));
    let update: ControllerRevision;
    if (equal.length && equal[equal.length - 1] === revisions[revisions.length - 1]) update = equal[equal.length - 1];
    else if (equal.length) update = await this.history.renumber(equal[equal.length - 1], probe.revision);
    else {
      const created = await this.history.create(set, probe, collisionCount, REVISION_HASH_LABEL);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** updateStatefulSet: at most one step of OrderedReady per sync (all of them with Parallel). */
  private async updateStatefulSet(set: StatefulSet, current: ControllerRevision, update: ControllerRevision, pods: Pod[]): Promise<void> {
    const replicaCount = set.spec.replicas ?? 1;
    const start = startOrdinal(set);
    const monotonic = set.spec.podManagementPolicy !== 'Parallel';
    const minReady = set.spec.minReadySeconds ?? 0;
    const now = this.clock.now();
    const partition = set.spec.updateStrategy?.type === 'RollingUpdate' ? (set.spec.updateStrategy.rollingUpdate?.partition ?? 0) : 0;
    const currentTemplate = templateOf(current);
    /** newVersionedStatefulSetPod: ordinals below the partition keep the current revision during an update. */
    const versionedPod = (ordinal: number) =>
      current.metadata.name !== update.metadata.name && set.spec.updateStrategy?.type === 'RollingUpdate' && ordinal < partition
        ? newStatefulSetPod(set, currentTemplate, current.metadata.name!, ordinal)
        : newStatefulSetPod(set, set.spec.template, update.metadata.name!, ordinal);

    const replicas: { pod: Pod; created: boolean }[] = [];
    const condemned: Pod[] = [];
    for (let i = 0; i < replicaCount; i++) replicas.push({ pod: versionedPod(start + i), created: false });
    for (const pod of pods) {
      const ord = getOrdinal(set, pod);
      if (ord >= start && ord < start + replicaCount) replicas[ord - start] = { pod, created: true };
      else condemned.push(pod);
    }
    condemned.sort((a, b) => getOrdinal(set, b) - getOrdinal(set, a));
    const firstUnhealthy = [...replicas.filter((r) => r.created).map((r) => r.pod), ...condemned].find((p) => !isHealthy(p));

    for (const [i, replica] of replicas.entries()) {
      const ordinal = start + i;
      if (replica.created && (isFailed(replica.pod) || isSucceeded(replica.pod))) {
        // A finished pod is deleted and made again, with the same name, on a later sync.
        if (!isTerminating(replica.pod)) await this.deletePod(set, replica.pod);
        return;
      }
      if (!replica.created) {
        await this.createPod(set, replica.pod, ordinal);
        if (monotonic) return;
        continue;
      }
      await this.ensureClaims(set, replica.pod, ordinal, false);
      if (isTerminating(replica.pod)) {
        if (monotonic) return;
        continue;
      }
      if (!isRunningAndAvailable(replica.pod, minReady, now) && monotonic) return;
      if (!identityMatches(set, replica.pod, ordinal)) {
        const fixed = structuredClone(replica.pod);
        setIdentity(set, fixed, ordinal);
        fixed.spec = replica.pod.spec;
        await this.control.updatePod(fixed);
      }
    }

    for (const pod of condemned) {
      if (isTerminating(pod)) {
        if (monotonic) return;
        continue;
      }
      if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return;
      await this.ensureClaims(set, pod, getOrdinal(set, pod), true);
      await this.deletePod(set, pod);
      if (monotonic) return;
    }

    if (set.spec.updateStrategy?.type !== 'RollingUpdate') return;
    for (let target = replicas.length - 1; target >= partition - start && target >= 0; target--) {
      const { pod, created } = replicas[target];
      if (!created) return;
      if (revisionOfPod(pod) !== update.metadata.name && !isTerminating(pod)) {
        await this.deletePod(set, pod);
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  /** The claims of the pod's ordinal exist (created if missing) and carry the owners the retention policy asks for. */
  private async ensureClaims(set: StatefulSet, pod: Pod | undefined, ordinal: number, condemned: boolean): Promise<void> {
    for (const claim of claimsFor(set, ordinal)) {
      const existing = this.claimLister.get(set.metadata.namespace, claim.metadata.name!);
      if (!existing) {
        const refs = claimOwnerRefs(set, claim, pod, condemned);
        try {
          await this.control.createClaim(refs ? { ...claim, metadata: { ...claim.metadata, ownerReferences: refs } } : claim);
          this.recorder.event(
            apiObject(set),
            'Normal',
            'SuccessfulCreate',
            `create Claim ${claim.metadata.name} Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name} success`,
          );
        } catch (err) {
          if (!isAlreadyExists(err)) {
            this.recorder.event(
              apiObject(set),
              'Warning',
              'FailedCreate',
              `create Claim ${claim.metadata.name} for Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
            );
            throw err;
          }
        }
        continue;
      }
      if (existing.metadata.deletionTimestamp) continue;
      const refs = claimOwnerRefs(set, existing, pod, condemned);
      if (!semanticallyEqual(refs ?? [], existing.metadata.ownerReferences ?? [])) await this.control.patchClaimOwners(existing, refs);
    }
  }

  private async createPod(set: StatefulSet, pod: Pod, ordinal: number): Promise<void> {
    await this.ensureClaims(set, undefined, ordinal, false);
    try {
      await this.control.createPod(pod);
    } catch (err) {
      // The cache has not shown our last create yet: the pod is there.
      if (isAlreadyExists(err)) return;
      this.recorder.event(
        apiObject(set),
        'Warning',
        'FailedCreate',
        `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
    this.recorder.event(
      apiObject(set),
      'Normal',
      'SuccessfulCreate',
      `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
    );
  }

  private async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    await this.control.deletePod(set.metadata.namespace!, pod.metadata.name!);
    this.recorder.event(
      apiObject(set),
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
    );
  }

  /** The status of the pods as this sync found them (computeReplicaStatus), with the rollout completed when every pod is updated and ready. */
  private async updateStatus(
    set: StatefulSet,
    current: ControllerRevision,
    update: ControllerRevision,
    collisionCount: number,
    pods: Pod[],
  ): Promise<void> {
    const now = this.clock.now();
    const minReady = set.spec.minReadySeconds ?? 0;
    const status: StatefulSetStatus = {
      ...set.status,
      observedGeneration: set.metadata.generation,
      replicas: pods.length,
      readyReplicas: pods.filter(isRunningAndReady).length,
      availableReplicas: pods.filter((p) => isRunningAndAvailable(p, minReady, now)).length,
      currentReplicas: pods.filter((p) => !isTerminating(p) && revisionOfPod(p) === current.metadata.name).length,
      updatedReplicas: pods.filter((p) => !isTerminating(p) && revisionOfPod(p) === update.metadata.name).length,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount,
    };
    // completeRollingUpdate
    if (
      set.spec.updateStrategy?.type === 'RollingUpdate' &&
      status.updatedReplicas === status.replicas &&
      status.readyReplicas === status.replicas
    ) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    if (semanticallyEqual(set.status, status)) return;
    try {
      await this.control.updateStatus({ ...set, status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The StatefulPodControl that writes through the API. */
export function apiStatefulPodControl(client: Client): StatefulPodControl {
  const pods = client.resource<Pod>(Pods);
  const claims = client.resource<PersistentVolumeClaim>(PersistentVolumeClaims);
  return {
    createPod: async (pod) => void (await pods.create(pod)),
    updatePod: async (pod) => void (await pods.update(pod)),
    deletePod: async (ns, name) => {
      try {
        await pods.delete(ns, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    createClaim: async (claim) => void (await claims.create(claim)),
    patchClaimOwners: async (claim, ownerReferences) =>
      void (await claims.patch(claim.metadata.namespace, claim.metadata.name!, {
        metadata: { ownerReferences: ownerReferences ?? null, resourceVersion: claim.metadata.resourceVersion },
      })),
    updateStatus: async (set) => void (await client.resource<StatefulSet>(StatefulSets).updateStatus(set)),
  };
}
