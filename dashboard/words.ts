// Pod and container states in plain words, for people learning what the kubelet and the scheduler do:
// "waiting: the image cannot be pulled", "the scheduler found no node: 0/2 nodes are available: ...".
import type { ContainerState, ContainerStatus, Pod } from '../shared/api/core';

const WAITING: Record<string, string> = {
  ContainerCreating: 'the kubelet is creating the container',
  PodInitializing: 'waiting for the init containers to finish',
  ErrImagePull: 'the image cannot be pulled',
  ImagePullBackOff: 'the image cannot be pulled; the kubelet tries again after a back-off',
  ErrImageNeverPull: 'the image is not on the node and imagePullPolicy is Never',
  InvalidImageName: 'the image name is not valid',
  CrashLoopBackOff: 'it keeps crashing; the kubelet waits before starting it again',
  CreateContainerConfigError: 'the container cannot be configured (a missing ConfigMap, Secret or key?)',
  CreateContainerError: 'the container runtime could not create it',
  RunContainerError: 'the container runtime could not start it',
};

const TERMINATED: Record<string, string> = {
  Completed: 'finished successfully',
  Error: 'failed',
  OOMKilled: 'was killed for using more memory than its limit',
  ContainerCannotRun: 'could not run',
};

/** One container state in words: "running since 10:04:01", "waiting: ...", "exited with code 1 (failed)". */
export function containerStateWords(state: ContainerState | undefined): string {
  if (state?.running) return `running since ${state.running.startedAt ?? 'a moment ago'}`;
  if (state?.waiting) {
    const w = state.waiting;
    const words = (w.reason && WAITING[w.reason]) ?? w.reason ?? 'waiting';
    return `waiting: ${words}${w.message ? ` (${w.message})` : ''}`;
  }
  if (state?.terminated) {
    const t = state.terminated;
    const words = (t.reason && TERMINATED[t.reason]) ?? t.reason;
    const how = t.signal ? `was stopped by signal ${t.signal}` : `exited with code ${t.exitCode}`;
    return `${how}${words ? ` (${words})` : ''}${t.message ? `: ${t.message}` : ''}`;
  }
  return 'not created yet';
}

function containerWhy(c: ContainerStatus, init: boolean): string | undefined {
  const who = `${init ? 'Init container' : 'Container'} "${c.name}"`;
  const waiting = c.state?.waiting;
  if (waiting?.reason === 'CrashLoopBackOff') {
    const last = c.lastState?.terminated;
    const exit = last ? `, last ${containerStateWords({ terminated: last })}` : '';
    return `${who} keeps crashing: it has restarted ${c.restartCount} time${c.restartCount === 1 ? '' : 's'}${exit}; the kubelet waits longer before each new start.`;
  }
  if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing')
    return `${who} is ${containerStateWords(c.state)}.`;
  const t = c.state?.terminated;
  if (t && t.exitCode !== 0) return `${who} ${containerStateWords(c.state)}.`;
  return undefined;
}

/**
 * Why a pod is not running and ready, in plain words, from its status: the scheduler's reason for a pod
 * no node can take, an image that cannot be pulled, a crash loop, a failing readiness probe. Undefined for
 * a healthy pod. `unhealthy` is the latest probe failure the kubelet reported as an event, if any.
 */
export function whyNotReady(pod: Pod, unhealthy?: string): string | undefined {
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  if (pod.metadata.deletionTimestamp) return 'Being deleted: the kubelet is stopping its containers.';
  if (status.phase === 'Succeeded') return undefined;
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  if (!pod.spec.nodeName) {
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable')
      return `The scheduler cannot place it on any node: ${scheduled.message ?? 'no node fits'}`;
    if (scheduled?.reason === 'SchedulingGated') return 'Scheduling is gated: it waits until its schedulingGates are removed.';
    return 'Waiting for the scheduler to choose a node.';
  }
  if (status.phase === 'Failed')
    return `It failed${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : '.'}`;
  for (const c of status.initContainerStatuses ?? []) {
    const why = containerWhy(c, true);
    if (why) return why;
  }
  for (const c of status.containerStatuses ?? []) {
    const why = containerWhy(c, false);
    if (why) return why;
  }
  if (!status.containerStatuses?.length || status.phase === 'Pending')
    return `Bound to ${pod.spec.nodeName}: the kubelet is pulling images and starting containers.`;
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const notReady = (status.containerStatuses ?? []).filter((c) => !c.ready).map((c) => `"${c.name}"`);
    const probe = unhealthy ? ` The kubelet says: ${unhealthy}` : ' Its readiness probe has not passed yet.';
    return `Running but not ready: container${notReady.length === 1 ? '' : 's'} ${notReady.join(', ')} not ready, so Services send it no traffic.${probe}`;
  }
  return undefined;
}
