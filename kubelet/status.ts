// generatePodStatus: the pod status the kubelet reports, computed from the runtime state, probe results
// and the reasons containers are waiting (pulling, back-off, errors). Pure.
import type { ContainerStatus, Pod, PodPhase, PodStatus } from '../shared/api/core';
import type { Condition } from '../shared/api/meta';
import { rfc3339 } from '../shared/api/meta';
import { latest, PodRuntime } from './podruntime';
import type { RuntimeContainer } from './runtime/interface';
import { shouldRestart } from './syncpod';

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

function containerStatus(pod: Pod, name: string, image: string, rt: PodRuntime, ctx: StatusContext): ContainerStatus {
  const attempts = rt.containers.get(name) ?? [];
  const current = attempts[0];
  const previous = attempts.find((c) => c !== current && c.state === 'exited');
  const waiting = ctx.waiting.get(name);
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
    if (shouldRestart(pod.spec.restartPolicy, current.exitCode)) status.state = { waiting: { reason: 'ContainerCreating' } };
    else status.state = { terminated: terminated(current) };
  } else {
    status.state = { waiting: { reason: 'ContainerCreating' } };
  }
  const last = status.state.terminated ? previous : current?.state === 'exited' ? current : previous;
  if (last) status.lastState = { terminated: terminated(last) };
  return status;
}

/** Kubernetes' getPhase. */
export function podPhase(pod: Pod, rt: PodRuntime): PodPhase {
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
function condition(old: Condition[] | undefined, type: string, value: boolean, now: number, reason?: string): Condition {
  const status = value ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(new Date(now)),
  };
  if (!value && reason) c.reason = reason;
  return c;
}

export function generatePodStatus(pod: Pod, rt: PodRuntime, ctx: StatusContext): PodStatus {
  const old = pod.status ?? {};
  const containerStatuses = pod.spec.containers.map((c) => containerStatus(pod, c.name, c.image ?? '', rt, ctx));
  const phase = podPhase(pod, rt);
  const allReady = containerStatuses.every((s) => s.ready);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const podIP = rt.sandbox?.ip ?? old.podIP;
  const status: PodStatus = {
    ...old,
    phase,
    conditions: [
      condition(old.conditions, 'Initialized', true, ctx.now),
      condition(old.conditions, 'Ready', allReady && !terminal, ctx.now, notReadyReason),
      condition(old.conditions, 'ContainersReady', allReady && !terminal, ctx.now, notReadyReason),
      condition(old.conditions, 'PodScheduled', true, ctx.now),
    ],
    hostIP: ctx.hostIP,
    hostIPs: [{ ip: ctx.hostIP }],
    startTime: old.startTime ?? rfc3339(new Date(ctx.now)),
    containerStatuses,
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  return status;
}
