// Pod columns: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES, with STATUS
// computed the way kubectl's printPod does it.
import type { Pod } from '../../shared/api/core';
import { age, humanDuration } from './age';
import { col, Printer } from './table';

/** The STATUS column: a reason from the pod, its init containers, or its containers. */
export function podStatusReason(pod: Pod): string {
  const status = pod.status ?? {};
  let reason = status.reason ?? status.phase ?? 'Pending';
  const initStatuses = status.initContainerStatuses ?? [];
  const initCount = pod.spec.initContainers?.length ?? 0;
  let initializing = false;
  initStatuses.forEach((c, i) => {
    if (initializing) return;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...(status.containerStatuses ?? [])].reverse()) {
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated)
        reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function restarts(pod: Pod, now: Date): string {
  let count = 0;
  let last: string | undefined;
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    count += c.restartCount;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished && (!last || finished > last)) last = finished;
  }
  return last && count > 0 ? `${count} (${humanDuration(now.getTime() - Date.parse(last))} ago)` : String(count);
}

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
    const total = pod.spec.containers.length;
    const ready = (pod.status?.containerStatuses ?? []).filter((c) => c.ready).length;
    return [
      `${ready}/${total}`,
      podStatusReason(pod),
      restarts(pod, now),
      age(pod.metadata.creationTimestamp, now),
      pod.status?.podIP ?? '<none>',
      pod.spec.nodeName ?? '<none>',
      pod.status?.nominatedNodeName ?? '<none>',
      '<none>',
    ];
  },
};
