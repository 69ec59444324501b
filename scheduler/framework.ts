// The scheduling framework, reduced to its two extension points: Filter plugins say whether a pod fits
// a node (and why not, as a Status), Score plugins rank the nodes that fit.
import type { Pod } from '../shared/api/core';
import type { NodeInfo } from './nodeinfo';

/**
 * What a plugin answers (the framework's Status codes): Unschedulable means the pod does not fit now (it
 * might once other pods go), UnschedulableAndUnresolvable that no preemption can help (a selector, a
 * taint), Error that the plugin itself failed: the attempt is retried, not reported as a fit error.
 */
export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

export interface Status {
  code: Code;
  /** Kubernetes' wording, one per reason: `Insufficient cpu`. */
  reasons: string[];
}

export const SUCCESS: Status = { code: 'Success', reasons: [] };

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });

export interface FilterPlugin {
  name: string;
  /** PreFilter: what the pod needs whatever the node; a failure makes every node unfit for one reason. */
  preFilter?(pod: Pod): Status;
  filter(pod: Pod, node: NodeInfo): Status;
}

export interface ScorePlugin {
  name: string;
  weight: number;
  /**
   * 0..100 for each feasible node, in order. All nodes at once, as Kubernetes' PreScore + Score +
   * NormalizeScore: what depends on every node (the most pods of an owner anywhere) is counted once.
   */
  score(pod: Pod, nodes: NodeInfo[]): number[];
}

/**
 * Kubernetes' FitError message: `0/3 nodes are available: 1 ..., 2 Insufficient cpu.` plus preemption; a
 * PreFilter's refusal is said once, without a count: `0/2 nodes are available: pod has unbound immediate
 * PersistentVolumeClaims.`
 */
export function fitErrorMessage(numNodes: number, reasons: Map<string, number>, preFilterReason?: string): string {
  if (numNodes === 0) return 'no nodes available to schedule pods';
  const parts = preFilterReason ? [preFilterReason] : [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${numNodes} nodes are available: ${parts.join(', ')}. preemption: 0/${numNodes} nodes are available: ${numNodes} Preemption is not helpful for scheduling.`;
}
