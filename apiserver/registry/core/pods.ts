// Pods: created Pending, bound to a node by the scheduler through the binding subresource, and deleted
// gracefully once bound: the kubelet stops the containers and then finishes the delete.
//
// Pod columns: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES, computed the way
// kubectl's printPod does it (pkg/printers/internalversion/printers.go).
//
// STATUS: while an init container has not completed, `Init:<done>/<count>`, `Init:<waiting reason>`
// (Init:CrashLoopBackOff, Init:ErrImagePull) or `Init:<terminated reason>` (Init:Error); then the reason
// of the app containers (PodInitializing while they are created, CrashLoopBackOff, Completed...), else
// the phase. READY counts sidecars (init containers with restartPolicy Always) with the app containers,
// and RESTARTS counts the init containers only while the pod initializes.
import type { Binding, Container, ContainerStatus, Namespace, Pod, PodSpec } from '../../../shared/api/core';
import { defaultPod } from '../../../shared/api/defaults/core';
import type { DeleteOptions } from '../../../shared/api/meta';
import { rfc3339 } from '../../../shared/api/meta';
import { Pods } from '../../../shared/api/resources';
import { validatePod } from '../../../shared/api/validation/pods';
import { parseQuantity } from '../../../shared/quantity';
import { conflict } from '../../../shared/errors';
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

const isSidecar = (c: Container | undefined) => c?.restartPolicy === 'Always';

interface PodColumns {
  ready: string;
  status: string;
  restarts: string;
}

/** Restarts and the latest restart of some containers. */
class RestartCount {
  count = 0;
  last?: string;

  add(c: ContainerStatus): void {
    this.count += c.restartCount;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished && (!this.last || finished > this.last)) this.last = finished;
  }

  print(now: Date): string {
    return this.last && this.count > 0 ? `${this.count} (${humanDuration(now.getTime() - Date.parse(this.last))} ago)` : String(this.count);
  }
}

function printPod(pod: Pod, now: Date): PodColumns {
  const status = pod.status ?? {};
  const initContainers = new Map((pod.spec.initContainers ?? []).map((c) => [c.name, c]));
  const total = pod.spec.containers.length + [...initContainers.values()].filter(isSidecar).length;
  let ready = 0;
  let reason = status.reason ?? status.phase ?? 'Pending';
  if (status.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let restarts = new RestartCount();
  const sidecarRestarts = new RestartCount();
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (const [i, c] of initStatuses.entries()) {
    const sidecar = isSidecar(initContainers.get(c.name));
    restarts.add(c);
    if (sidecar) sidecarRestarts.add(c);
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initContainers.size}`;
    break;
  }

  const initializedCondition = status.conditions?.find((c) => c.type === 'Initialized')?.status === 'True';
  if (!initializing || initializedCondition) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    for (const c of [...(status.containerStatuses ?? [])].reverse()) {
      restarts.add(c);
      const t = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';
  return { ready: `${ready}/${total}`, status: reason, restarts: restarts.print(now) };
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
