// A pod's READY, STATUS and RESTARTS as kubectl's printPod computes them (pkg/printers/internalversion/
// printers.go), for the apiserver's Table printer and for any client that shows pods (the dashboard).
//
// STATUS: while an init container has not completed, `Init:<done>/<count>`, `Init:<waiting reason>`
// (Init:CrashLoopBackOff, Init:ErrImagePull) or `Init:<terminated reason>` (Init:Error); then the reason
// of the app containers (PodInitializing while they are created, CrashLoopBackOff, Completed...), else
// the phase. READY counts sidecars (init containers with restartPolicy Always) with the app containers,
// and RESTARTS counts the init containers only while the pod initializes.
import type { Container, ContainerStatus, Pod } from './api/core';

export const isSidecar = (c: Container | undefined) => c?.restartPolicy === 'Always';

export interface PodStatusSummary {
  ready: number;
  total: number;
  status: string;
  restarts: number;
  /** When the latest counted restart's container finished (RFC 3339). */
  lastRestart?: string;
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
}

export function podStatusSummary(pod: Pod): PodStatusSummary {
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
  return { ready, total, status: reason, restarts: restarts.count, lastRestart: restarts.last };
}
