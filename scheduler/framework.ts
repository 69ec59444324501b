// The scheduling framework, reduced to its two extension points: Filter plugins say whether a pod fits
// a node (and why not), Score plugins rank the nodes that fit.
import type { Pod } from '../shared/api/core';
import type { NodeInfo } from './nodeinfo';

export interface FilterPlugin {
  name: string;
  /** Undefined when the pod fits; otherwise the reason(s), as Kubernetes words them. */
  filter(pod: Pod, node: NodeInfo): string[] | undefined;
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

/** Kubernetes' FitError message: `0/3 nodes are available: 1 ..., 2 Insufficient cpu.` plus preemption. */
export function fitErrorMessage(numNodes: number, reasons: Map<string, number>): string {
  if (numNodes === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${numNodes} nodes are available: ${parts.join(', ')}. preemption: 0/${numNodes} nodes are available: ${numNodes} Preemption is not helpful for scheduling.`;
}
