// DaemonSet decisions, pure (Kubernetes' pkg/controller/daemon and its util): which nodes should run a
// daemon pod, what the pod looks like (the tolerations every daemon pod gets, node affinity to its node),
// which pods a node needs created or deleted, and the steps of a rolling update.
import { CONTROLLER_REVISION_HASH, DAEMONSET_TEMPLATE_GENERATION, DaemonSet, POD_TEMPLATE_GENERATION } from '../../shared/api/apps';
import type { Node, NodeSelectorTerm, Pod, PodTemplateSpec, Toleration } from '../../shared/api/core';
import { findUntoleratedTaint, nodeMatchesPod } from '../../shared/scheduling';
import { scaledValueFromIntOrPercent } from '../../shared/intstr';
import { isPodAvailable, isPodReady } from '../controller';

/** The tolerations the DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonPodTolerations(template: PodTemplateSpec): Toleration[] {
  const extra: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (template.spec.hostNetwork) extra.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const tolerations = [...(template.spec.tolerations ?? [])];
  // AddOrUpdateTolerationInPodSpec: one with the same key, operator and effect is replaced, else it is added.
  for (const t of extra) {
    const i = tolerations.findIndex((x) => x.key === t.key && (x.operator ?? 'Equal') === t.operator && x.effect === t.effect);
    if (i >= 0) tolerations[i] = t;
    else tolerations.push(t);
  }
  return tolerations;
}

/** The template's required node affinity with each term pinned to `nodeName` (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function nodeNameAffinity(template: PodTemplateSpec, nodeName: string): NonNullable<PodTemplateSpec['spec']['affinity']> {
  const affinity = structuredClone(template.spec.affinity ?? {});
  const field = { key: 'metadata.name', operator: 'In' as const, values: [nodeName] };
  const required = affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms: NodeSelectorTerm[] = required?.nodeSelectorTerms?.length
    ? required.nodeSelectorTerms.map((t) => ({ ...t, matchFields: [field] }))
    : [{ matchFields: [field] }];
  affinity.nodeAffinity = { ...affinity.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } };
  return affinity;
}

export const templateGeneration = (ds: DaemonSet): string | undefined => ds.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION];

/** The template of the daemon pods of revision `hash` (CreatePodTemplate): labelled, with the daemon tolerations. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec.template);
  t.spec.tolerations = daemonPodTolerations(ds.spec.template);
  const generation = templateGeneration(ds);
  t.metadata = {
    ...t.metadata,
    labels: { ...t.metadata?.labels, ...(generation ? { [POD_TEMPLATE_GENERATION]: generation } : {}), [CONTROLLER_REVISION_HASH]: hash },
  };
  return t;
}

/** The daemon pod template for one node: pinned to it by node affinity, placed there by the scheduler. */
export function daemonPodTemplateFor(ds: DaemonSet, hash: string, nodeName: string): PodTemplateSpec {
  const t = daemonPodTemplate(ds, hash);
  t.spec.affinity = nodeNameAffinity(t, nodeName);
  return t;
}

/**
 * NodeShouldRunDaemonPod: `shouldRun` when a new daemon pod belongs on the node (name, selector and node
 * affinity match, every NoSchedule and NoExecute taint tolerated); `shouldContinueRunning` when one already
 * there may stay (also on a node whose only untolerated taints are NoSchedule).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec.template.spec;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!nodeMatchesPod(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(ds.spec.template);
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute') };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: where it is bound, else the node its affinity names (GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms)
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

/** IsPodUpdated: of the current revision's hash, or of the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (!!hash && labels[CONTROLLER_REVISION_HASH] === hash) || (!!generation && labels[POD_TEMPLATE_GENERATION] === generation);
}

/** Oldest first; among pods created at the same time, running before pending (podByCreationTimestampAndPhase). */
export function byCreationAndPhase(a: Pod, b: Pod): number {
  const t = (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '');
  if (t) return t;
  const pending = (p: Pod) => (p.status?.phase === 'Pending' || !p.status?.phase ? 1 : 0);
  return pending(a) - pending(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export const allowsSurge = (ds: DaemonSet): boolean => ds.spec.updateStrategy?.type === 'RollingUpdate' && surgeCount(ds, 1) > 0;

/** maxSurge of the DaemonSet's nodes, rounded up (SurgeCount); 0 for OnDelete. */
export function surgeCount(ds: DaemonSet, desired: number): number {
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  if (ds.spec.updateStrategy?.type !== 'RollingUpdate' || ru?.maxSurge === undefined) return 0;
  return scaledValueFromIntOrPercent(ru.maxSurge, desired, true);
}

/** maxUnavailable of the DaemonSet's nodes, rounded up (UnavailableCount); 0 for OnDelete. */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  if (ds.spec.updateStrategy?.type !== 'RollingUpdate' || ru?.maxUnavailable === undefined) return 0;
  return scaledValueFromIntOrPercent(ru.maxUnavailable, desired, true);
}

/** What one sync wants done: nodes to create a daemon pod on, pods (by name) to delete. */
export interface NodeActions {
  create: string[];
  delete: string[];
  /** Failed pods left alone while their node's back-off lasts. */
  failedInBackoff?: string[];
}

/**
 * podsShouldBeOnNode: a node that should run the pod and has none gets one; failed pods go (unless
 * `inBackoff(node)` holds); surplus pods go, all but the oldest, or with maxSurge all but the oldest new
 * one and, once it is available (or the old one is not ready), the old one; a node that should not run
 * the pod loses all of them.
 */
export function podsShouldBeOnNode(
  node: Node,
  pods: Pod[] | undefined,
  ds: DaemonSet,
  hash: string,
  now: number,
  inBackoff: (node: string) => boolean = () => false,
): NodeActions & { failed: string[] } {
  const out = { create: [] as string[], delete: [] as string[], failed: [] as string[] };
  const name = node.metadata.name!;
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const live = (pods ?? []).filter((p) => !p.metadata.deletionTimestamp);
  if (shouldRun && !pods?.length) {
    out.create.push(name);
    return out;
  }
  if (!shouldContinueRunning) {
    out.delete.push(...live.map((p) => p.metadata.name!));
    return out;
  }
  const running: Pod[] = [];
  for (const pod of live) {
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') {
      if (phase === 'Failed' && inBackoff(name)) continue;
      out.delete.push(pod.metadata.name!);
      if (phase === 'Failed') out.failed.push(pod.metadata.name!);
    } else running.push(pod);
  }
  running.sort(byCreationAndPhase);
  if (!allowsSurge(ds)) {
    out.delete.push(...running.slice(1).map((p) => p.metadata.name!));
    return out;
  }
  if (running.length <= 1) {
    if (!running.length && shouldRun) out.create.push(name);
    return out;
  }
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH] === hash) {
      if (!oldestNew) {
        oldestNew = pod;
        continue;
      }
    } else if (!oldestOld) {
      oldestOld = pod;
      continue;
    }
    out.delete.push(pod.metadata.name!);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now)))
    out.delete.push(oldestOld.metadata.name!);
  return out;
}

/** At most one new and one old live pod on the node, or undefined when there are more (findUpdatedPodsOnNode). */
function updatedPodsOnNode(pods: Pod[], hash: string, generation: string | undefined): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

/**
 * One step of a rolling update (rollingUpdate): without surge, old pods are deleted while fewer than
 * maxUnavailable nodes lack an available pod (unavailable old pods at once) and the manage loop creates
 * their replacements; with maxSurge, new pods are started beside up to maxSurge available old ones (at
 * once beside unavailable ones) and an old pod is deleted when the new one on its node is available.
 * `nodeToPods` holds every node that should run the pod, with or without pods.
 */
export function rollingUpdateActions(
  ds: DaemonSet,
  nodeToPods: Map<string, Pod[]>,
  desired: number,
  hash: string,
  now: number,
): NodeActions {
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  const generation = templateGeneration(ds);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  const nodes = [...nodeToPods.keys()].sort();
  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replace: string[] = [];
    const candidates: string[] = [];
    for (const node of nodes) {
      const found = updatedPodsOnNode(nodeToPods.get(node)!, hash, generation);
      if (!found) {
        numUnavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (!available(oldPod!)) replace.push(oldPod!.metadata.name!);
      else if (numUnavailable < maxUnavailable) candidates.push(oldPod!.metadata.name!);
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { create: [], delete: [...replace, ...candidates.slice(0, remaining)] };
  }
  const toDelete: string[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let numSurge = 0;
  for (const node of nodes) {
    const found = updatedPodsOnNode(nodeToPods.get(node)!, hash, generation);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) allowedNew.push(node);
      else if (numSurge < maxSurge) candidateNew.push(node);
    } else if (!available(newPod)) numSurge++;
    else toDelete.push(oldPod.metadata.name!);
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNew.length);
  return { create: [...allowedNew, ...candidateNew.slice(0, remaining)], delete: toDelete };
}

/** The status counts, node by node (updateDaemonSetStatus). */
export function calculateStatus(
  ds: DaemonSet,
  nodes: Node[],
  nodeToPods: Map<string, Pod[]>,
  hash: string,
  now: number,
): Omit<NonNullable<DaemonSet['status']>, 'collisionCount' | 'conditions'> {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const pods = [...(nodeToPods.get(node.metadata.name!) ?? [])].sort(byCreationAndPhase);
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    if (!shouldRun) {
      if (pods.length) misscheduled++;
      continue;
    }
    desired++;
    if (!pods.length) continue;
    current++;
    const pod = pods[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) available++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  return {
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
    observedGeneration: ds.metadata.generation,
  };
}
