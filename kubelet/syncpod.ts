// computePodActions: what the kubelet must do to bring one pod's containers to its spec, as a pure
// function of the spec, the runtime state, probe results and the back-off (kubelet's
// kuberuntime computePodActions).
import type { Container, Pod } from '../shared/api/core';
import { latest, PodRuntime } from './podruntime';
import type { RuntimeContainer } from './runtime/interface';

export interface PodActions {
  /** (Re)create the sandbox: every container is killed first. */
  createSandbox: boolean;
  /** Stop and remove everything: the pod is being deleted. */
  killPod: boolean;
  /** Containers to start, in spec order. */
  start: Container[];
  /** Running containers to kill (liveness failure), with the reason for the event. */
  kill: { container: RuntimeContainer; reason: string }[];
  /** Containers waiting in back-off, with the time they may start. */
  backoff: { name: string; until: number }[];
}

export interface SyncContext {
  now: number;
  /** Running containers whose liveness (or startup) probe failed. */
  unhealthy: Set<string>;
  /** Counts an exit and returns when the container may start again. */
  backoffUntil: (name: string, finishedAt: number) => number;
}

/** Whether a container that exited with `exitCode` is started again under the pod's restartPolicy. */
export function shouldRestart(restartPolicy: string | undefined, exitCode: number | undefined): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

export function computePodActions(pod: Pod, rt: PodRuntime, ctx: SyncContext): PodActions {
  const actions: PodActions = { createSandbox: false, killPod: false, start: [], kill: [], backoff: [] };
  if (pod.metadata.deletionTimestamp) {
    actions.killPod = true;
    return actions;
  }
  const sandboxRunning = rt.sandbox?.state === 'running';
  const everStarted = rt.containers.size > 0;
  if (!sandboxRunning) {
    // A pod whose containers all finished for good keeps its dead sandbox (it is done).
    const finished =
      everStarted &&
      pod.spec.containers.every((c) => {
        const last = latest(rt, c.name);
        return last?.state === 'exited' && !shouldRestart(pod.spec.restartPolicy, last.exitCode);
      });
    if (finished) return actions;
    actions.createSandbox = true;
    actions.start = [...pod.spec.containers];
    return actions;
  }
  for (const container of pod.spec.containers) {
    const last = latest(rt, container.name);
    if (!last || last.state === 'created') {
      actions.start.push(container);
      continue;
    }
    if (last.state === 'running') {
      if (ctx.unhealthy.has(last.id)) actions.kill.push({ container: last, reason: 'Unhealthy' });
      continue;
    }
    if (!shouldRestart(pod.spec.restartPolicy, last.exitCode)) continue;
    const finishedAt = Date.parse(last.finishedAt ?? last.createdAt);
    const until = ctx.backoffUntil(container.name, finishedAt);
    if (until > ctx.now) actions.backoff.push({ name: container.name, until });
    else actions.start.push(container);
  }
  return actions;
}
