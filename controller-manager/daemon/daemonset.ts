// The DaemonSet controller (Kubernetes' pkg/controller/daemon): one daemon pod on every node that should
// run it, created for a node when it joins and removed when the node goes or stops matching; pods are
// created with node affinity to their node and placed by the scheduler, as Kubernetes does since 1.12.
// Each template is kept as a ControllerRevision (rollout history and undo); a RollingUpdate replaces
// old pods within maxUnavailable/maxSurge, OnDelete only when a pod is deleted.
import type { ControllerRevision, DaemonSet } from '../../shared/api/apps';
import { CONTROLLER_REVISION_HASH } from '../../shared/api/apps';
import type { Node, Pod } from '../../shared/api/core';
import { controllerOf, objectKey, splitKey } from '../../shared/api/meta';
import { ControllerRevisions, DaemonSets, Nodes, Pods } from '../../shared/api/resources';
import { Backoff } from '../../shared/backoff';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { selectorFromLabelSelector } from '../../shared/labels';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, ownerKey, slowStartBatch } from '../controller';
import { Expectations } from '../expectations';
import { ControllerHistory, equalRevisions, RevisionClient, revisionsToTruncate, templatePatch } from '../history/history';
import { controllerRef, PodControl } from '../podcontrol';
import {
  calculateStatus,
  daemonPodTemplateFor,
  nodeShouldRunDaemonPod,
  podsShouldBeOnNode,
  rollingUpdateActions,
  targetNodeName,
} from './util';

/** At most this many pods are created or deleted in one sync (Kubernetes' BurstReplicas). */
const BURST_REPLICAS = 250;

export interface DaemonSetWriter {
  updateStatus(ds: DaemonSet): Promise<void>;
  /** Adopts (adds our controller ref to) an orphan pod the selector matches. */
  patchPodOwners(pod: Pod, ownerReferences: Pod['metadata']['ownerReferences']): Promise<void>;
}

const apiObject = (ds: DaemonSet) => ({ ...ds, kind: 'DaemonSet', apiVersion: 'apps/v1' });

/** Whether a node change can change where daemon pods belong (shouldIgnoreNodeUpdate's complement). */
function nodeChanged(old: Node, node: Node): boolean {
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return (
    !semanticallyEqual(old.metadata.labels, node.metadata.labels) ||
    !semanticallyEqual(old.spec?.taints, node.spec?.taints) ||
    !!old.spec?.unschedulable !== !!node.spec?.unschedulable ||
    ready(old) !== ready(node)
  );
}

export class DaemonSetsController implements Controller {
  readonly name = 'daemonset';
  readonly queue: RateLimitingQueue;
  readonly expectations: Expectations;
  private readonly dsLister: Lister<DaemonSet>;
  private readonly podLister: Lister<Pod>;
  private readonly nodeLister: Lister<Node>;
  private readonly history: ControllerHistory;
  /** Failed daemon pods are replaced with a back-off per node (1 s doubling to 15 minutes). */
  private readonly failedPodsBackoff = new Backoff(1000, 15 * 60 * 1000);

  constructor(
    informers: SharedInformerFactory,
    private readonly podControl: PodControl,
    revisions: RevisionClient,
    private readonly writer: DaemonSetWriter,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'daemonset' });
    this.expectations = new Expectations(clock);
    const dsInformer = informers.informerFor<DaemonSet>(DaemonSets);
    const podInformer = informers.informerFor<Pod>(Pods);
    const nodeInformer = informers.informerFor<Node>(Nodes);
    const revisionInformer = informers.informerFor<ControllerRevision>(ControllerRevisions);
    this.dsLister = dsInformer.lister;
    this.podLister = podInformer.lister;
    this.nodeLister = nodeInformer.lister;
    this.history = new ControllerHistory(revisionInformer.lister, revisions);
    dsInformer.addEventHandler({
      add: (ds) => this.queue.add(objectKey(ds)),
      update: (_old, ds) => this.queue.add(objectKey(ds)),
      delete: (ds) => this.queue.add(objectKey(ds)),
    });
    podInformer.addEventHandler({
      add: (pod) => {
        const key = ownerKey(pod, 'DaemonSet');
        if (key) {
          this.expectations.observedAdd(key);
          this.queue.add(key);
        } else this.enqueueMatching(pod);
      },
      update: (old, pod) => {
        const key = ownerKey(pod, 'DaemonSet');
        const oldKey = ownerKey(old, 'DaemonSet');
        if (oldKey && oldKey !== key) this.queue.add(oldKey);
        if (key) this.queue.add(key);
        else this.enqueueMatching(pod);
        if (key && pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.observedDelete(key);
      },
      delete: (pod) => {
        const key = ownerKey(pod, 'DaemonSet');
        if (!key) return;
        if (!pod.metadata.deletionTimestamp) this.expectations.observedDelete(key);
        this.queue.add(key);
      },
    });
    nodeInformer.addEventHandler({
      add: () => this.enqueueAll(),
      update: (old, node) => nodeChanged(old, node) && this.enqueueAll(),
      delete: () => this.enqueueAll(),
    });
    const revisionChanged = (cr: ControllerRevision) => {
      const key = ownerKey(cr, 'DaemonSet');
      if (key) this.queue.add(key);
    };
    revisionInformer.addEventHandler({ add: revisionChanged, update: (_o, cr) => revisionChanged(cr), delete: revisionChanged });
  }

  private enqueueAll(): void {
    for (const ds of this.dsLister.list()) this.queue.add(objectKey(ds));
  }

  private enqueueMatching(pod: Pod): void {
    for (const ds of this.dsLister.list(pod.metadata.namespace)) {
      if (selectorFromLabelSelector(ds.spec.selector).matches(pod.metadata.labels)) this.queue.add(objectKey(ds));
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.dsLister.get(namespace, name);
    if (!ds) {
      this.expectations.forget(key);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodeLister.list();
    const { cur, old, collisionCount } = await this.constructHistory(ds);
    const hash = cur.metadata.labels?.[CONTROLLER_REVISION_HASH] ?? '';
    let nodeToPods = await this.nodesToDaemonPods(ds);
    if (this.expectations.satisfied(key)) {
      await this.manage(key, ds, nodes, nodeToPods, hash);
      if (ds.spec.updateStrategy?.type === 'RollingUpdate' && this.expectations.satisfied(key)) {
        const desired = new Map<string, Pod[]>();
        let count = 0;
        for (const node of nodes) {
          if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
          count++;
          desired.set(node.metadata.name!, nodeToPods.get(node.metadata.name!) ?? []);
        }
        const step = rollingUpdateActions(ds, desired, count, hash, this.clock.now());
        await this.syncNodes(key, ds, step.delete, step.create, hash);
      }
      await this.cleanupHistory(ds, cur, old, nodeToPods);
      nodeToPods = await this.nodesToDaemonPods(ds);
    }
    await this.updateStatus(ds, nodes, nodeToPods, hash, collisionCount);
  }

  /** The pods the DaemonSet controls (adopting matching orphans), by the node each is for. */
  private async nodesToDaemonPods(ds: DaemonSet): Promise<Map<string, Pod[]>> {
    const selector = selectorFromLabelSelector(ds.spec.selector);
    const byNode = new Map<string, Pod[]>();
    for (let pod of this.podLister.list(ds.metadata.namespace)) {
      const ref = controllerOf(pod);
      const matches = selector.matches(pod.metadata.labels);
      if (ref?.uid !== ds.metadata.uid) {
        if (ref || !matches || pod.metadata.deletionTimestamp) continue;
        await this.writer.patchPodOwners(pod, [...(pod.metadata.ownerReferences ?? []), controllerRef(ds, 'apps/v1', 'DaemonSet')]);
        pod = { ...pod, metadata: { ...pod.metadata, ownerReferences: [controllerRef(ds, 'apps/v1', 'DaemonSet')] } };
      }
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      if (terminal && pod.metadata.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    return byNode;
  }

  /** manage: every node gets what podsShouldBeOnNode says; pods for nodes that are gone are deleted. */
  private async manage(key: string, ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string): Promise<void> {
    const create: string[] = [];
    const remove: string[] = [];
    const now = this.clock.now();
    for (const node of nodes) {
      const backoffKey = `${ds.metadata.uid}/${node.metadata.name}`;
      const inBackoff = () => this.failedPodsBackoff.backOffSinceUpdate(backoffKey, now) !== undefined;
      const actions = podsShouldBeOnNode(node, nodeToPods.get(node.metadata.name!), ds, hash, now, inBackoff);
      create.push(...actions.create);
      remove.push(...actions.delete);
      if (actions.failed.length) {
        this.failedPodsBackoff.next(backoffKey, now);
        for (const pod of actions.failed)
          this.recorder.event(
            apiObject(ds),
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${ds.metadata.namespace}/${pod} on node ${node.metadata.name}, will try to kill it`,
          );
      }
      const waiting = this.failedPodsBackoff.backOffSinceUpdate(backoffKey, now);
      if (waiting !== undefined && inBackoff()) this.queue.addAfter(key, waiting - now);
    }
    // A node that is gone keeps no daemon pods: those bound to it go at once, since no kubelet will confirm
    // their end (in Kubernetes the pod garbage collector does that part).
    const known = new Set(nodes.map((n) => n.metadata.name!));
    const force = new Set<string>();
    for (const [node, pods] of nodeToPods) {
      if (known.has(node)) continue;
      for (const p of pods) {
        if (p.spec.nodeName) force.add(p.metadata.name!);
        else if (!p.metadata.deletionTimestamp) remove.push(p.metadata.name!);
      }
    }
    await this.syncNodes(key, ds, [...remove, ...force], create, hash, force);
  }

  /** syncNodes: deletes and creates (slow start), within the burst limit, with expectations recorded first. */
  private async syncNodes(
    key: string,
    ds: DaemonSet,
    podsToDelete: string[],
    nodesNeedingPods: string[],
    hash: string,
    force = new Set<string>(),
  ): Promise<void> {
    const create = nodesNeedingPods.slice(0, BURST_REPLICAS);
    const remove = podsToDelete.slice(0, BURST_REPLICAS);
    if (!create.length && !remove.length) return;
    this.expectations.expect(key, create.length, remove.length);
    const owner = controllerRef(ds, 'apps/v1', 'DaemonSet');
    const ns = ds.metadata.namespace!;
    const deleted = await Promise.allSettled(
      remove.map(async (pod) => {
        await this.podControl.deletePod(ns, pod, force.has(pod) ? { gracePeriodSeconds: 0 } : undefined);
        this.recorder.event(apiObject(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod}`);
      }),
    );
    const deleteErrors = deleted.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (deleteErrors.length) this.expectations.lower(key, 0, deleteErrors.length);
    const { done, error } = await slowStartBatch(create.length, async (i) => {
      const pod = await this.podControl.createPod(ns, daemonPodTemplateFor(ds, hash, create[i]), owner, `${ds.metadata.name}-`);
      this.recorder.event(apiObject(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    });
    if (error) {
      this.expectations.lower(key, create.length - done, 0);
      this.recorder.event(apiObject(ds), 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
      throw error;
    }
    if (deleteErrors.length) throw deleteErrors[0].reason;
  }

  /**
   * constructHistory: the revision of the current template (created, or an old equal one renumbered to be
   * the newest) and the other revisions.
   */
  private async constructHistory(ds: DaemonSet): Promise<{ cur: ControllerRevision; old: ControllerRevision[]; collisionCount?: number }> {
    const histories = await this.history.claim(ds, selectorFromLabelSelector(ds.spec.selector), 'apps/v1', 'DaemonSet');
    const data = templatePatch(ds.spec.template);
    const probe = { data } as ControllerRevision;
    const current = histories.filter((h) => equalRevisions(h, probe));
    const old = histories.filter((h) => !equalRevisions(h, probe));
    const next = Math.max(0, ...old.map((h) => h.revision)) + 1;
    let collisionCount = ds.status?.collisionCount;
    let cur: ControllerRevision;
    if (!current.length) {
      const revision = ControllerHistory.newRevision(
        ds,
        'apps/v1',
        'DaemonSet',
        ds.spec.template.metadata?.labels,
        data,
        next,
        collisionCount || undefined,
        CONTROLLER_REVISION_HASH,
      );
      const created = await this.history.create(ds, revision, collisionCount ?? 0, CONTROLLER_REVISION_HASH);
      cur = created.revision;
      if (created.collisionCount !== (collisionCount ?? 0)) collisionCount = created.collisionCount;
    } else {
      // Keep the newest of equal revisions; the others are duplicates.
      cur = current[current.length - 1];
      for (const dup of current.slice(0, -1)) await this.deleteRevision(dup);
      cur = await this.history.renumber(cur, Math.max(cur.revision, next));
    }
    return { cur, old, collisionCount };
  }

  /** Old revisions beyond revisionHistoryLimit go, oldest first, except those a pod still runs. */
  private async cleanupHistory(ds: DaemonSet, cur: ControllerRevision, old: ControllerRevision[], nodeToPods: Map<string, Pod[]>) {
    const liveHashes = new Set([...nodeToPods.values()].flat().map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH]));
    const live = new Set(
      [cur, ...old].filter((r) => r === cur || liveHashes.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH])).map((r) => r.metadata.name!),
    );
    for (const r of revisionsToTruncate(old, live, ds.spec.revisionHistoryLimit ?? 10)) await this.deleteRevision(r);
  }

  private async deleteRevision(r: ControllerRevision): Promise<void> {
    try {
      await this.history.client.delete(r.metadata.namespace!, r.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async updateStatus(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, collisionCount?: number) {
    const now = this.clock.now();
    const status = {
      ...ds.status,
      ...calculateStatus(ds, nodes, nodeToPods, hash, now),
      ...(collisionCount !== undefined ? { collisionCount } : {}),
    };
    if (!semanticallyEqual(ds.status, status)) {
      try {
        await this.writer.updateStatus({ ...ds, status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    // Ready pods become available minReadySeconds later: look again then.
    if (ds.spec.minReadySeconds && status.numberReady !== status.numberAvailable)
      this.queue.addAfter(objectKey(ds), ds.spec.minReadySeconds * 1000);
  }
}
