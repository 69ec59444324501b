// Score plugins: NodeResourcesLeastAllocated, spreading the pods of one owner (SelectorSpread), and the
// preferred parts of TaintToleration and NodeAffinity.
import type { Pod } from '../../shared/api/core';
import { controllerOf } from '../../shared/api/meta';
import type { ScorePlugin } from '../framework';
import { podRequests } from '../nodeinfo';
import { termMatches, tolerates } from './filters';

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score(pod, nodes) {
    const want = podRequests(pod);
    const free = (used: number, cap: number) => (cap > 0 ? Math.max(0, (cap - used) / cap) : 0);
    return nodes.map((info) => {
      const a = info.allocatable;
      // Pods without requests count as the defaults Kubernetes uses for scoring: 100m CPU, 200 MiB.
      const cpu = free(info.requested.milliCPU + (want.milliCPU || 100), a.milliCPU);
      const mem = free(info.requested.memory + (want.memory || 200 * 2 ** 20), a.memory);
      return Math.round(((cpu + mem) / 2) * 100);
    });
  },
};

const ownerUid = (pod: Pod) => controllerOf(pod)?.uid;

export const selectorSpread: ScorePlugin = {
  name: 'SelectorSpread',
  weight: 2,
  score(pod, nodes) {
    const owner = ownerUid(pod);
    const app = pod.metadata.labels?.app;
    if (!owner && !app) return nodes.map(() => 100); // nothing to spread
    const sameApp = (p: Pod) =>
      owner ? ownerUid(p) === owner : p.metadata.namespace === pod.metadata.namespace && p.metadata.labels?.app === app;
    const counts = nodes.map((n) => {
      let c = 0;
      for (const p of n.pods.values()) if (sameApp(p)) c++;
      return c;
    });
    const max = Math.max(0, ...counts);
    return counts.map((c) => (max === 0 ? 100 : Math.round(((max - c) / max) * 100)));
  },
};

export const preferNoScheduleTaints: ScorePlugin = {
  name: 'TaintToleration',
  weight: 1,
  score: (pod, nodes) =>
    nodes.map((info) =>
      Math.max(
        0,
        100 -
          10 * (info.node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !tolerates(pod.spec.tolerations, t)).length,
      ),
    ),
};

export const preferredNodeAffinity: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 1,
  score(pod, nodes) {
    const terms = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const total = terms.reduce((s, t) => s + t.weight, 0);
    if (!total) return nodes.map(() => 0);
    return nodes.map((info) =>
      Math.round((terms.filter((t) => termMatches(t.preference, info)).reduce((s, t) => s + t.weight, 0) / total) * 100),
    );
  },
};

export const DEFAULT_SCORES: ScorePlugin[] = [leastAllocated, selectorSpread, preferNoScheduleTaints, preferredNodeAffinity];
