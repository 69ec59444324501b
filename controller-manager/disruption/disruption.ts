// The disruption controller: keeps each PodDisruptionBudget's status, which the eviction API reads to
// allow or refuse an eviction. For a budget it counts
//   expectedPods    the selected pods (minAvailable as a number), or the scale of their controllers
//                   (maxUnavailable, or minAvailable as a percentage, both rounded up as Kubernetes does);
//   desiredHealthy  minAvailable resolved, or expectedPods - maxUnavailable resolved;
//   currentHealthy  the selected pods that are ready, not terminating and not just evicted;
// and allows currentHealthy - desiredHealthy disruptions (none while it expects no pods). A pod the
// eviction API let go stays in disruptedPods until it is seen terminating, for at most two minutes
// (DeletionTimeout); the budget is checked again when that time is up.
import type { Pod } from '../../shared/api/core';
import type { Deployment, ReplicaSet } from '../../shared/api/apps';
import { controllerOf, objectKey, rfc3339, splitKey } from '../../shared/api/meta';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../shared/api/policy';
import { setDisruptionAllowedCondition } from '../../shared/api/policy';
import { Deployments, PodDisruptionBudgets, Pods, ReplicaSets } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isConflict } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { scaledValueFromIntOrPercent } from '../../shared/intstr';
import { formatLabelSelector, selectorFromLabelSelector } from '../../shared/labels';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, isPodReady } from '../controller';

/** How long an evicted pod may take to start terminating before it counts again (upstream's DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  /** Selected pods no controller owns: their budget cannot be computed from a scale. */
  unmanagedPods: string[];
}

/** The scale of a pod's controller, by the controller's uid; undefined when it is none this controller knows. */
export type ScaleFinder = (pod: Pod) => { uid: string; scale: number } | undefined;

/** getExpectedScale: the sum of the scales of the selected pods' controllers, each counted once. */
export function expectedScale(pods: Pod[], scaleOf: ScaleFinder): { expectedCount: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    if (!controllerOf(pod)) {
      unmanagedPods.push(pod.metadata.name!);
      continue;
    }
    const found = scaleOf(pod);
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name)}`);
    scales.set(found.uid, found.scale);
  }
  return { expectedCount: [...scales.values()].reduce((a, b) => a + b, 0), unmanagedPods };
}

/** getExpectedPodCount: how many pods the budget expects and how many of them it wants healthy. */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], scaleOf: ScaleFinder): ExpectedCount {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined) {
    const { expectedCount, unmanagedPods } = expectedScale(pods, scaleOf);
    const unavailable = scaledValueFromIntOrPercent(maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - unavailable), unmanagedPods };
  }
  if (typeof minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
  if (typeof minAvailable === 'string') {
    const { expectedCount, unmanagedPods } = expectedScale(pods, scaleOf);
    return { expectedCount, desiredHealthy: scaledValueFromIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * buildDisruptedPodMap: the evicted pods still expected to go (not yet terminating, evicted less than
 * DeletionTimeout ago), the time the first of them is due, and those overdue (for a Warning each).
 */
export function disruptedPodMap(
  pods: Pod[],
  pdb: PodDisruptionBudget,
  now: number,
): { disrupted: Record<string, string>; recheckAt?: number; overdue: Pod[] } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const overdue: Pod[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[pod.metadata.name!];
    if (at === undefined) continue;
    const due = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (due < now) {
      overdue.push(pod);
    } else {
      disrupted[pod.metadata.name!] = at;
      if (recheckAt === undefined || due < recheckAt) recheckAt = due;
    }
  }
  return { disrupted, recheckAt, overdue };
}

/** countHealthyPods: ready pods neither terminating nor just evicted. */
export function countHealthyPods(pods: Pod[], disrupted: Record<string, string>, now: number): number {
  return pods.filter((pod) => {
    if (pod.metadata.deletionTimestamp) return false;
    const at = disrupted[pod.metadata.name!];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) return false;
    return isPodReady(pod);
  }).length;
}

/** The status to write, or undefined when the stored one says the same (updatePdbStatus). */
export function nextStatus(
  pdb: PodDisruptionBudget,
  counts: { currentHealthy: number; desiredHealthy: number; expectedCount: number; disrupted: Record<string, string> },
  now: number,
): PodDisruptionBudgetStatus | undefined {
  const { currentHealthy, desiredHealthy, expectedCount, disrupted } = counts;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const old = pdb.status;
  const generation = pdb.metadata.generation ?? 1;
  const condition = old?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const conditionUpToDate =
    !!condition && condition.status === (disruptionsAllowed > 0 ? 'True' : 'False') && condition.observedGeneration === generation;
  if (
    old &&
    old.currentHealthy === currentHealthy &&
    old.desiredHealthy === desiredHealthy &&
    old.expectedPods === expectedCount &&
    old.disruptionsAllowed === disruptionsAllowed &&
    semanticallyEqual(old.disruptedPods ?? {}, disrupted) &&
    old.observedGeneration === generation &&
    conditionUpToDate
  ) {
    return undefined;
  }
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
    conditions: old?.conditions ?? [],
  };
  setDisruptionAllowedCondition(status, rfc3339(new Date(now)));
  return status;
}

export interface PdbStatusWriter {
  updateStatus(pdb: PodDisruptionBudget): Promise<void>;
}

export class DisruptionController implements Controller {
  readonly name = 'disruption';
  readonly queue: RateLimitingQueue;
  private readonly pdbs: Lister<PodDisruptionBudget>;
  private readonly pods: Lister<Pod>;
  private readonly replicaSets: Lister<ReplicaSet>;
  private readonly deployments: Lister<Deployment>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: PdbStatusWriter,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'disruption' });
    const pdbInformer = informers.informerFor<PodDisruptionBudget>(PodDisruptionBudgets);
    const podInformer = informers.informerFor<Pod>(Pods);
    this.pdbs = pdbInformer.lister;
    this.pods = podInformer.lister;
    this.replicaSets = informers.informerFor<ReplicaSet>(ReplicaSets).lister;
    this.deployments = informers.informerFor<Deployment>(Deployments).lister;
    const enqueue = (pdb: PodDisruptionBudget) => this.queue.add(objectKey(pdb));
    pdbInformer.addEventHandler({ add: enqueue, update: (_o, pdb) => enqueue(pdb), delete: enqueue });
    const podChanged = (pod: Pod) => this.budgetsOf(pod).forEach(enqueue);
    podInformer.addEventHandler({
      add: podChanged,
      update: (old, pod) => {
        podChanged(pod);
        if (!semanticallyEqual(old.metadata.labels, pod.metadata.labels)) podChanged(old);
      },
      delete: podChanged,
    });
  }

  /** The budgets selecting a pod; here an empty selector selects every pod of the namespace. */
  private budgetsOf(pod: Pod): PodDisruptionBudget[] {
    return this.pdbs
      .list(pod.metadata.namespace)
      .filter((pdb) => !!pdb.spec.selector && selectorFromLabelSelector(pdb.spec.selector).matches(pod.metadata.labels ?? {}));
  }

  /** The finders of upstream's getExpectedScale that this cluster has: a ReplicaSet's, or its Deployment's. */
  private scaleOf: ScaleFinder = (pod) => {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet' || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment') {
      const d = this.deployments.get(pod.metadata.namespace, owner.name);
      return d && d.metadata.uid === owner.uid ? { uid: d.metadata.uid!, scale: d.spec.replicas ?? 1 } : undefined;
    }
    return { uid: rs.metadata.uid!, scale: rs.spec.replicas ?? 1 };
  };

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb) return;
    try {
      await this.trySync(pdb);
    } catch (err) {
      if (isConflict(err)) throw err; // the cache was behind: again, without giving up on the budget
      // failSafe: whatever happened, the budget allows no disruption until it is counted again.
      const status: PodDisruptionBudgetStatus = {
        ...(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
        disruptionsAllowed: 0,
      };
      setDisruptionAllowedCondition(status, rfc3339(new Date(this.clock.now())), 'SyncFailed', (err as Error).message);
      await this.writer.updateStatus({ ...structuredClone(pdb), status });
    }
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<void> {
    const pods = pdb.spec.selector ? this.pods.list(pdb.metadata.namespace, selectorFromLabelSelector(pdb.spec.selector)) : [];
    if (!pods.length) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts: ExpectedCount;
    try {
      counts = expectedPodCount(pdb, pods, this.scaleOf);
    } catch (err) {
      this.recorder.event(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${(err as Error).message}`,
      );
      throw err;
    }
    if (counts.unmanagedPods.length) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelector(pdb.spec.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.clock.now();
    const { disrupted, recheckAt, overdue } = disruptedPodMap(pods, pdb, now);
    for (const pod of overdue) {
      this.recorder.event(
        pod,
        'Warning',
        'NotDeleted',
        `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`,
      );
    }
    const currentHealthy = countHealthyPods(pods, disrupted, now);
    const status = nextStatus(
      pdb,
      { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedCount: counts.expectedCount, disrupted },
      now,
    );
    if (status) await this.writer.updateStatus({ ...structuredClone(pdb), status });
    if (recheckAt !== undefined) this.queue.addAfter(objectKey(pdb), recheckAt - now);
  }
}
