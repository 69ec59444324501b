// scheduleOne's decision, pure: filter every node, score the feasible ones, pick the best (at random
// among equals). Returns the node, the reasons each node was rejected (a fit error), or the error of a
// plugin that failed.
import type { Pod } from '../shared/api/core';
import type { FilterPlugin, ScorePlugin, Status } from './framework';
import { fitErrorMessage, SUCCESS } from './framework';
import type { NodeInfo } from './nodeinfo';

export type ScheduleResult = { node: string } | { unschedulable: string } | { error: string };

/** Runs the filters in order; the first that does not answer Success decides. */
function runFilters(filters: FilterPlugin[], pod: Pod, info: NodeInfo): Status & { plugin?: string } {
  for (const f of filters) {
    const status = f.filter(pod, info);
    if (status.code !== 'Success') return { ...status, plugin: f.name };
  }
  return SUCCESS;
}

export function findNodeForPod(
  pod: Pod,
  nodes: NodeInfo[],
  filters: FilterPlugin[],
  scores: ScorePlugin[],
  random: () => number = Math.random,
): ScheduleResult {
  for (const f of filters) {
    const status = f.preFilter?.(pod) ?? SUCCESS;
    if (status.code === 'Error') return { error: `running PreFilter plugin "${f.name}": ${status.reasons.join(', ')}` };
    if (status.code !== 'Success') return { unschedulable: fitErrorMessage(nodes.length, new Map(), status.reasons.join(', ')) };
  }
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  for (const info of nodes) {
    const status = runFilters(filters, pod, info);
    if (status.code === 'Error') return { error: `running "${status.plugin}" filter plugin: ${status.reasons.join(', ')}` };
    if (status.code === 'Success') feasible.push(info);
    else for (const r of status.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  if (!feasible.length) return { unschedulable: fitErrorMessage(nodes.length, reasons) };
  if (feasible.length === 1) return { node: feasible[0].node.metadata.name! };
  const totals = new Array<number>(feasible.length).fill(0);
  for (const plugin of scores) plugin.score(pod, feasible).forEach((score, i) => (totals[i] += plugin.weight * score));
  let best: NodeInfo[] = [];
  let bestScore = -Infinity;
  feasible.forEach((info, i) => {
    if (totals[i] > bestScore) {
      bestScore = totals[i];
      best = [info];
    } else if (totals[i] === bestScore) {
      best.push(info);
    }
  });
  return { node: best[Math.floor(random() * best.length)].node.metadata.name! };
}
