// computePodActions: what the kubelet must do to bring one pod's containers to its spec, as a pure
// function of the spec, the runtime state, probe results and the back-off (kuberuntime's
// computePodActions). A pod being deleted never gets here: the kubelet terminates it.
import type { Container, Pod } from '../shared/api/core';
import { latest, PodRuntime } from './podruntime';
import type { RuntimeContainer } from './runtime/interface';

export interface PodActions {
  /** (Re)create the sandbox: every container is killed first. */
  createSandbox: boolean;
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
  /** When the crash-loop back-off of a container that exited at `finishedAt` ends, if it has not yet. */
  backOffUntil: (name: string, finishedAt: number) => number | undefined;
}

/** Whether a container that exited with `exitCode` is started again under the pod's restartPolicy. */
export function shouldRestart(restartPolicy: string | undefined, exitCode: number | undefined): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

export function computePodActions(pod: Pod, rt: PodRuntime, ctx: SyncContext): PodActions {
  const actions: PodActions = { createSandbox: false, start: [], kill: [], backoff: [] };
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
    const until = ctx.backOffUntil(container.name, Date.parse(last.finishedAt ?? last.createdAt));
    if (until !== undefined) actions.backoff.push({ name: container.name, until });
    else actions.start.push(container);
  }
  return actions;
}
