// computePodActions: what the kubelet must do to bring one pod's containers to its spec, as a pure
// function of the spec, the runtime state, probe results and the back-off (kuberuntime's
// computePodActions and computeInitContainerActions). A pod being deleted never gets here: the kubelet
// terminates it.
//
// Init containers run one at a time, in order, each to completion (exit 0) before the next; a failed one
// is run again unless the pod's restartPolicy is Never, which fails the pod. A sidecar (an init container
// with restartPolicy Always) is started in its turn and kept running: the next init container starts once
// it has started (its startup probe, if any, succeeded). The app containers start when all are done.
import type { Container, Pod } from '../shared/api/core';
import { latest, PodRuntime } from './podruntime';
import type { RuntimeContainer } from './runtime/interface';

export interface PodActions {
  /** (Re)create the sandbox: every container is killed first, and the init containers run again. */
  createSandbox: boolean;
  /** Stop every running container: the pod is done (its init failed for good, or its app containers finished). */
  killPod: boolean;
  /** Init containers to start, in spec order. */
  startInit: Container[];
  /** App containers to start, in spec order. */
  start: Container[];
  /** Running containers to kill (liveness or startup failure), with the message of the Killing event. */
  kill: { container: RuntimeContainer; message: string }[];
  /** Containers waiting in back-off, with the time they may start. */
  backoff: { name: string; until: number }[];
}

export interface SyncContext {
  now: number;
  /** Running containers whose liveness (or startup) probe failed. */
  unhealthy: Set<string>;
  /** Whether a running container has started: it has no startup probe, or that probe succeeded. */
  started: (container: Container, id: string) => boolean;
  /** When the crash-loop back-off of a container that exited at `finishedAt` ends, if it has not yet. */
  backOffUntil: (name: string, finishedAt: number) => number | undefined;
}

/** A sidecar: an init container that starts before the app containers and keeps running with them. */
export const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

/** Every container of the pod's spec: init containers first. */
export const specContainers = (pod: Pod): Container[] => [...(pod.spec.initContainers ?? []), ...pod.spec.containers];

/** Whether a container that exited with `exitCode` is started again under the pod's restartPolicy. */
export function shouldRestart(restartPolicy: string | undefined, exitCode: number | undefined): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** Whether the pod will run nothing more: its app containers all finished for good, or an init container failed under Never. */
export function podFinished(pod: Pod, rt: PodRuntime): boolean {
  const appsDone = pod.spec.containers.every((c) => {
    const last = latest(rt, c.name);
    return last?.state === 'exited' && !shouldRestart(pod.spec.restartPolicy, last.exitCode);
  });
  return appsDone || (pod.spec.restartPolicy === 'Never' && initFailed(pod, rt));
}

/** Whether a regular init container's last attempt failed. */
function initFailed(pod: Pod, rt: PodRuntime): boolean {
  return (pod.spec.initContainers ?? []).some((c) => {
    const last = latest(rt, c.name);
    return !isSidecar(c) && last?.state === 'exited' && last.exitCode !== 0;
  });
}

export function computePodActions(pod: Pod, rt: PodRuntime, ctx: SyncContext): PodActions {
  const actions: PodActions = { createSandbox: false, killPod: false, startInit: [], start: [], kill: [], backoff: [] };
  const init = pod.spec.initContainers ?? [];
  if (rt.sandbox?.state !== 'running') {
    // A pod that is done keeps its dead sandbox.
    if (rt.containers.size > 0 && podFinished(pod, rt)) return actions;
    actions.createSandbox = true;
    if (init.length) actions.startInit = [init[0]];
    else actions.start = [...pod.spec.containers];
    return actions;
  }
  if (podFinished(pod, rt)) {
    actions.killPod = [...rt.containers.values()].some((attempts) => attempts[0].state === 'running');
    return actions;
  }
  if (!computeInitContainerActions(pod, rt, ctx, actions)) return actions;
  for (const container of pod.spec.containers) {
    const last = latest(rt, container.name);
    if (!last || last.state === 'created') {
      actions.start.push(container);
      continue;
    }
    if (last.state === 'running') {
      if (ctx.unhealthy.has(last.id)) actions.kill.push(unhealthy(last));
      continue;
    }
    if (shouldRestart(pod.spec.restartPolicy, last.exitCode)) startOrBackOff(container, last, ctx, actions.start, actions);
  }
  return actions;
}

const unhealthy = (c: RuntimeContainer) => ({ container: c, message: `Container ${c.name} failed liveness probe, will be restarted` });

/** Starts a container whose last attempt exited, unless it is in crash-loop back-off. */
function startOrBackOff(c: Container, last: RuntimeContainer | undefined, ctx: SyncContext, start: Container[], actions: PodActions): void {
  const until = last?.state === 'exited' ? ctx.backOffUntil(c.name, Date.parse(last.finishedAt ?? last.createdAt)) : undefined;
  if (until !== undefined) actions.backoff.push({ name: c.name, until });
  else start.push(c);
}

/**
 * Adds the actions of the init containers and returns whether the pod is initialized. The init containers
 * are read from the last one back, as upstream does: earlier attempts may have been removed since, and the
 * furthest one that ran says how far initialization got.
 */
function computeInitContainerActions(pod: Pod, rt: PodRuntime, ctx: SyncContext, actions: PodActions): boolean {
  const init = pod.spec.initContainers ?? [];
  if (!init.length) return true;
  // An app container created or running means the pod was initialized, even if init attempts are gone since.
  let initialized = pod.spec.containers.some((c) => ['created', 'running'].includes(latest(rt, c.name)?.state ?? ''));
  let reached = initialized;
  const toStart = new Set<number>();
  for (let i = init.length - 1; i >= 0; i--) {
    const c = init[i];
    const last = latest(rt, c.name);
    const done = () => {
      if (i === init.length - 1) initialized = true;
      else if (!reached) toStart.add(i + 1);
    };
    if (!last) {
      // A sidecar of an initialized pod whose attempts are gone is started again.
      if (reached && isSidecar(c)) toStart.add(i);
      continue;
    }
    // Once the pod is initialized, only sidecars are kept running.
    if (reached && !isSidecar(c)) continue;
    if (last.state === 'created') {
      toStart.add(i); // the runtime failed to start it: start it again
    } else if (last.state === 'running') {
      if (isSidecar(c)) {
        if (!ctx.started(c, last.id)) {
          // The startup probe holds the next init container; a failed one restarts the sidecar.
          if (ctx.unhealthy.has(last.id)) actions.kill.push(unhealthy(last));
        } else {
          done();
          if (ctx.unhealthy.has(last.id)) actions.kill.push(unhealthy(last));
        }
      } // a regular init container: wait for it to finish
    } else if (last.state === 'exited') {
      if (isSidecar(c) || last.exitCode !== 0) {
        toStart.add(i); // under restartPolicy Never, a failed one made the pod finished (podFinished) before we got here
      } else {
        done();
      }
    } else {
      // Unknown: kill it, and start it again once it is seen exited.
      actions.kill.push({ container: last, message: `Init container is in "${last.state}" state, try killing it before restart` });
    }
    reached = true;
  }
  if (!reached) toStart.add(0);
  for (const i of [...toStart].sort((a, b) => a - b)) startOrBackOff(init[i], latest(rt, init[i].name), ctx, actions.startInit, actions);
  return initialized;
}
