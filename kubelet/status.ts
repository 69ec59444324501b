// generatePodStatus: the pod status the kubelet reports, computed from the runtime state, probe results
// and the reasons containers are waiting (pulling, back-off, errors). Pure.
//
// With init containers, every container not started yet waits as PodInitializing, the Initialized
// condition is False until the last init container completed (a sidecar: started), and the phase is
// Pending meanwhile, or Failed when one failed under restartPolicy Never.
import type { Container, ContainerStatus, Pod, PodPhase, PodStatus } from '../shared/api/core';
import type { Condition } from '../shared/api/meta';
import { rfc3339 } from '../shared/api/meta';
import { latest, PodRuntime } from './podruntime';
import type { RuntimeContainer } from './runtime/interface';
import { isSidecar, shouldRestart } from './syncpod';

export interface StatusContext {
  hostIP: string;
  now: number;
  /** Why a container is not running: ErrImagePull, ImagePullBackOff, CrashLoopBackOff, ... */
  waiting: Map<string, { reason: string; message?: string }>;
  /** Readiness by container id (containers without a readiness probe are ready when running). */
  ready: (c: RuntimeContainer) => boolean;
  started: (c: RuntimeContainer) => boolean;
}

const dockerID = (c: RuntimeContainer) => `docker://${c.id}`;
const time = (iso: string | undefined) => (iso ? rfc3339(new Date(iso)) : undefined);

function terminated(c: RuntimeContainer) {
  const code = c.exitCode ?? 0;
  return {
    exitCode: code,
    reason: c.oomKilled ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error',
    startedAt: time(c.startedAt),
    finishedAt: time(c.finishedAt),
    containerID: dockerID(c),
  };
}

/** Which list a container is in: an app container, a regular init container, or a sidecar. */
type Kind = 'app' | 'init' | 'sidecar';

function containerStatus(pod: Pod, c: Container, kind: Kind, rt: PodRuntime, ctx: StatusContext): ContainerStatus {
  const { name, image = '' } = c;
  const attempts = rt.containers.get(name) ?? [];
  const current = attempts[0];
  const previous = attempts.find((c) => c !== current && c.state === 'exited');
  // A completed init container is never run again: no reason for waiting applies to it.
  const completed = kind === 'init' && current?.state === 'exited' && current.exitCode === 0;
  const waiting = completed ? undefined : ctx.waiting.get(name);
  const defaultWaiting = pod.spec.initContainers?.length ? 'PodInitializing' : 'ContainerCreating';
  const status: ContainerStatus = {
    name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: current?.attempt ?? 0,
    image,
    imageID: '',
    started: false,
  };
  if (current) {
    status.image = current.image;
    status.imageID = current.imageID.startsWith('sha256:') ? `docker-pullable://${current.image}@${current.imageID}` : current.imageID;
    status.containerID = dockerID(current);
  }
  if (current?.state === 'running' && !waiting) {
    status.state = { running: { startedAt: time(current.startedAt) } };
    status.ready = ctx.ready(current);
    status.started = ctx.started(current);
  } else if (waiting) {
    status.state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
  } else if (current?.state === 'exited') {
    // An app container about to restart waits; an init container shows how it ended until a reason to wait comes.
    if (kind === 'app' && shouldRestart(pod.spec.restartPolicy, current.exitCode))
      status.state = { waiting: { reason: 'ContainerCreating' } };
    else status.state = { terminated: terminated(current) };
  } else {
    status.state = { waiting: { reason: defaultWaiting } };
  }
  const last = status.state.terminated ? previous : current?.state === 'exited' ? current : previous;
  if (last) status.lastState = { terminated: terminated(last) };
  return status;
}

/** Whether any app container was ever created: then the pod was initialized (init attempts may be gone since). */
const anyAppContainer = (pod: Pod, rt: PodRuntime) => pod.spec.containers.some((c) => latest(rt, c.name));

/** Kubernetes' getPhase. */
export function podPhase(pod: Pod, rt: PodRuntime): PodPhase {
  if (!anyAppContainer(pod, rt)) {
    let pending = false;
    let failed = false;
    for (const c of pod.spec.initContainers ?? []) {
      const last = latest(rt, c.name);
      // A sidecar is pending until it first starts; a regular init container until it completes.
      if (isSidecar(c)) pending ||= !last || last.state === 'created';
      else if (last?.state === 'exited') failed ||= last.exitCode !== 0;
      else pending = true;
    }
    if (failed && pod.spec.restartPolicy === 'Never') return 'Failed';
    if (pending || failed) return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of pod.spec.containers) {
    const last = latest(rt, c.name);
    if (!last || last.state === 'created') waiting++;
    else if (last.state === 'running') running++;
    else if (last.exitCode === 0) succeeded++;
    else failed++;
  }
  const total = pod.spec.containers.length;
  if (waiting > 0) return running + succeeded + failed > 0 && pod.spec.restartPolicy === 'Always' ? 'Running' : 'Pending';
  if (running > 0) return 'Running';
  if (succeeded === total) return pod.spec.restartPolicy === 'Always' ? 'Running' : 'Succeeded';
  if (pod.spec.restartPolicy === 'Never') return 'Failed';
  return 'Running'; // failed containers are restarted
}

/** A condition with lastTransitionTime kept from the old status when its value did not change. */
function condition(old: Condition[] | undefined, type: string, value: boolean, now: number, reason?: string, message?: string): Condition {
  const status = value ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(new Date(now)),
  };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** The Initialized condition: which init containers have not completed (sidecars: not started), as GeneratePodInitializedCondition says. */
function initialized(
  pod: Pod,
  rt: PodRuntime,
  phase: PodPhase,
  statuses: ContainerStatus[],
): { value: boolean; reason?: string; message?: string } {
  if (phase === 'Succeeded') return { value: true, reason: 'PodCompleted' };
  if (anyAppContainer(pod, rt)) return { value: true };
  const incomplete = (pod.spec.initContainers ?? [])
    .filter((c, i) => {
      const s = statuses[i];
      return isSidecar(c) ? !(s.state?.running && s.started) : s.state?.terminated?.exitCode !== 0;
    })
    .map((c) => c.name);
  if (!incomplete.length) return { value: true };
  return { value: false, reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` };
}

export function generatePodStatus(pod: Pod, rt: PodRuntime, ctx: StatusContext): PodStatus {
  const old = pod.status ?? {};
  const init = pod.spec.initContainers ?? [];
  const initContainerStatuses = init.map((c) => containerStatus(pod, c, isSidecar(c) ? 'sidecar' : 'init', rt, ctx));
  const containerStatuses = pod.spec.containers.map((c) => containerStatus(pod, c, 'app', rt, ctx));
  const phase = podPhase(pod, rt);
  const initializedNow = initialized(pod, rt, phase, initContainerStatuses);
  // Sidecars count for readiness as app containers do.
  const sidecarStatuses = initContainerStatuses.filter((_s, i) => isSidecar(init[i]));
  const allReady = [...sidecarStatuses, ...containerStatuses].every((s) => s.ready);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const podIP = rt.sandbox?.ip ?? old.podIP;
  const status: PodStatus = {
    ...old,
    phase,
    conditions: [
      condition(old.conditions, 'Initialized', initializedNow.value, ctx.now, initializedNow.reason, initializedNow.message),
      condition(old.conditions, 'Ready', allReady && !terminal, ctx.now, allReady && !terminal ? undefined : notReadyReason),
      condition(old.conditions, 'ContainersReady', allReady && !terminal, ctx.now, allReady && !terminal ? undefined : notReadyReason),
      condition(old.conditions, 'PodScheduled', true, ctx.now),
    ],
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    startTime: old.startTime ?? rfc3339(new Date(ctx.now)),
    ...(init.length ? { initContainerStatuses } : {}),
    containerStatuses,
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  return status;
}
