// Scheduling predicates a controller needs as well as the scheduler (Kubernetes' component-helpers
// scheduling/corev1 and v1helper): whether tolerations tolerate a taint, and whether a node matches a
// pod's nodeSelector and required node affinity. The DaemonSet controller decides with them which nodes
// should run a daemon pod; the scheduler's TaintToleration and NodeAffinity plugins filter with them.
import type { Node, PodSpec, Taint, Toleration } from './api/core';
import { nodeSelectorMatches } from './nodeselector';

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that the tolerations do not tolerate. */
export function findUntoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (t: Taint) => boolean,
): Taint | undefined {
  return (taints ?? []).find((t) => filter(t) && !tolerates(tolerations, t));
}

/** GetRequiredNodeAffinity(pod).Match(node): the nodeSelector, and one of the required affinity terms if there are any. */
export function nodeMatchesPod(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms?.length || nodeSelectorMatches(terms, node);
}
