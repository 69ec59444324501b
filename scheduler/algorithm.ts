// scheduleOne's decision, pure: filter every node, score the feasible ones, pick the best (at random
// among equals). Returns the node, or the reasons each node was rejected.
import type { Pod } from '../shared/api/core';
import type { FilterPlugin, ScorePlugin } from './framework';
import { fitErrorMessage } from './framework';
import type { NodeInfo } from './nodeinfo';

export type ScheduleResult = { node: string } | { message: string };

export function findNodeForPod(
  pod: Pod,
  nodes: NodeInfo[],
  filters: FilterPlugin[],
  scores: ScorePlugin[],
  random: () => number = Math.random,
): ScheduleResult {
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  for (const info of nodes) {
    let failed: string[] | undefined;
    for (const f of filters) {
      failed = f.filter(pod, info);
      if (failed) break;
    }
    if (!failed) feasible.push(info);
    else for (const r of failed) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  if (!feasible.length) return { message: fitErrorMessage(nodes.length, reasons) };
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
