// Filter plugins, named after Kubernetes': NodeUnschedulable, NodeName, TaintToleration (which also
// covers not-ready nodes through their taint), NodeAffinity, NodeResourcesFit, NodePorts.
import type { NodeSelectorTerm, Pod, Taint } from '../../shared/api/core';
import { nodeSelectorTermMatches } from '../../shared/nodeselector';
import { nodeMatchesPod, tolerates } from '../../shared/scheduling';
import { FilterPlugin, SUCCESS, unresolvable, unschedulable } from '../framework';
import type { NodeInfo } from '../nodeinfo';
import { podRequests } from '../nodeinfo';

export { tolerates };

/** The taints of a node, plus the not-ready taint a node without Ready=True carries in Kubernetes. */
export function effectiveTaints(info: NodeInfo): Taint[] {
  const taints = [...(info.node.spec?.taints ?? [])];
  const ready = info.node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True' && !taints.some((t) => t.key.startsWith('node.kubernetes.io/'))) {
    taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  }
  return taints;
}

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod, info) {
    if (!info.node.spec?.unschedulable) return SUCCESS;
    return tolerates(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })
      ? SUCCESS
      : unresolvable('node(s) were unschedulable');
  },
};

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter: (pod, info) =>
    pod.spec.nodeName && pod.spec.nodeName !== info.node.metadata.name
      ? unresolvable("node(s) didn't match the requested node name")
      : SUCCESS,
};

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, info) {
    const untolerated = effectiveTaints(info).find(
      (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec.tolerations, t),
    );
    return untolerated ? unresolvable(`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`) : SUCCESS;
  },
};

export const termMatches = (term: NodeSelectorTerm, info: NodeInfo): boolean => nodeSelectorTermMatches(term, info.node);

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, info) =>
    nodeMatchesPod(pod.spec, info.node) ? SUCCESS : unresolvable("node(s) didn't match Pod's node affinity/selector"),
};

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod: Pod, info: NodeInfo) {
    const want = podRequests(pod);
    const free = info.allocatable;
    const used = info.requested;
    const reasons: string[] = [];
    if (used.pods + 1 > free.pods) reasons.push('Too many pods');
    if (want.milliCPU > 0 && used.milliCPU + want.milliCPU > free.milliCPU) reasons.push('Insufficient cpu');
    if (want.memory > 0 && used.memory + want.memory > free.memory) reasons.push('Insufficient memory');
    return reasons.length ? unschedulable(...reasons) : SUCCESS;
  },
};

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter(pod, info) {
    const conflict = pod.spec.containers.some((c) =>
      (c.ports ?? []).some((p) => p.hostPort && info.portInUse(p.protocol ?? 'TCP', p.hostIP ?? '0.0.0.0', p.hostPort)),
    );
    return conflict ? unschedulable("node(s) didn't have free ports for the requested pod ports") : SUCCESS;
  },
};

/** In Kubernetes' default order. */
export const DEFAULT_FILTERS: FilterPlugin[] = [nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit];
