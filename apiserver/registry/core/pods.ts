// Pods: created Pending, bound to a node by the scheduler through the binding subresource, and deleted
// gracefully once bound: the kubelet stops the containers and then finishes the delete.
//
// Pod columns: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES, computed the way
// kubectl's printPod does it (shared/podstatus.ts).
import type { Binding, Namespace, Pod, PodSpec } from '../../../shared/api/core';
import { defaultPod } from '../../../shared/api/defaults/core';
import type { DeleteOptions } from '../../../shared/api/meta';
import { rfc3339 } from '../../../shared/api/meta';
import { Pods } from '../../../shared/api/resources';
import { validatePod } from '../../../shared/api/validation/pods';
import { parseQuantity } from '../../../shared/quantity';
import { conflict } from '../../../shared/errors';
import { podStatusSummary } from '../../../shared/podstatus';
import { admitPodSecurity } from '../../admission/podsecurity';
import { age, humanDuration } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

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

function printPod(pod: Pod, now: Date): { ready: string; status: string; restarts: string } {
  const { ready, total, status, restarts, lastRestart } = podStatusSummary(pod);
  const printed =
    lastRestart && restarts > 0 ? `${restarts} (${humanDuration(now.getTime() - Date.parse(lastRestart))} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status, restarts: printed };
}

/** The STATUS column. */
export const podStatusReason = (pod: Pod): string => printPod(pod, new Date()).status;

export const podPrinter: Printer<Pod> = {
  columns: [
    col('Ready'),
    col('Status'),
    col('Restarts'),
    col('Age'),
    col('IP', 1),
    col('Node', 1),
    col('Nominated Node', 1),
    col('Readiness Gates', 1),
  ],
  cells(pod, now) {
    const { ready, status, restarts } = printPod(pod, now);
    return [
      ready,
      status,
      restarts,
      age(pod.metadata.creationTimestamp, now),
      pod.status?.podIP ?? '<none>',
      pod.spec.nodeName ?? '<none>',
      pod.status?.nominatedNodeName ?? '<none>',
      '<none>',
    ];
  },
};

/** The pod registry's strategy; `namespace` looks up a namespace for Pod Security admission. */
export const podStrategy = (namespace: (name: string) => Promise<Namespace | undefined>): Strategy<Pod> => ({
  resource: Pods,
  defaults: defaultPod,
  validate: validatePod,
  printer: podPrinter,
  async beforeCreate(pod) {
    admitPodSecurity(pod, await namespace(pod.metadata.namespace!));
  },
  prepareForCreate(pod) {
    pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
  },
  gracePeriodSeconds(pod: Pod, options: DeleteOptions): number {
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
