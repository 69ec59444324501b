// Pods: created Pending, bound to a node by the scheduler through the binding subresource, and deleted
// gracefully once bound: the kubelet stops the containers and then finishes the delete.
import type { Binding, Namespace, Pod, PodSpec } from '../../shared/api/core';
import { admitPodSecurity } from '../admission/podsecurity';
import type { DeleteOptions, KubeObject } from '../../shared/api/meta';
import { rfc3339 } from '../../shared/api/meta';
import { Pods } from '../../shared/api/resources';
import { parseQuantity } from '../../shared/quantity';
import { conflict } from '../../shared/errors';
import type { Strategy } from './strategy';

/** Guaranteed when every container has equal cpu and memory requests and limits; BestEffort with none. */
export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...spec.containers, ...(spec.initContainers ?? [])];
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every((r) => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && parseQuantity(limit) === parseQuantity(request!);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The pod registry's strategy; `namespace` looks up a namespace for Pod Security admission. */
export const podStrategy = (namespace: (name: string) => Promise<Namespace | undefined>): Strategy => ({
  resource: Pods,
  async beforeCreate(obj) {
    admitPodSecurity(obj as Pod, await namespace((obj as Pod).metadata.namespace!));
  },
  prepareForCreate(obj) {
    const pod = obj as Pod;
    pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
  },
  gracePeriodSeconds(obj: KubeObject, options: DeleteOptions): number {
    const pod = obj as Pod;
    const phase = pod.status?.phase;
    if (!pod.spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
  },
});

/** What POST pods/<name>/binding does to the pod: set the node once, and record PodScheduled. */
export function bindPod(pod: Pod, binding: Binding): Pod {
  if (pod.spec.nodeName)
    throw conflict('pods', pod.metadata.name!, `pod ${pod.metadata.name} is already assigned to node "${pod.spec.nodeName}"`);
  if (pod.metadata.deletionTimestamp) throw conflict('pods', pod.metadata.name!, 'pod is being deleted, cannot be assigned to a host');
  pod.spec.nodeName = binding.target.name;
  const status = (pod.status ??= {});
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() });
  status.conditions = conditions;
  return pod;
}
