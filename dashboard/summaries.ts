// API objects to the small views the page draws (views.ts). Pure functions: the informers' objects in,
// plain JSON out.
import type { Endpoints, Event, Node, Pod, Service } from '../shared/api/core';
import type { Lease } from '../shared/api/coordination';
import type { Condition, KubeObject } from '../shared/api/meta';
import { controllerOf, objectKey } from '../shared/api/meta';
import { parseQuantity, milliValue } from '../shared/quantity';
import { podStatusSummary } from '../shared/podstatus';
import type {
  ConditionView,
  ContainerView,
  EndpointsView,
  EventView,
  LeaseView,
  NodeView,
  PodView,
  ServiceView,
  WorkloadView,
} from './views';
import { containerStateWords, whyNotReady } from './words';

const conditions = (list: Condition[] | undefined): ConditionView[] =>
  (list ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    since: c.lastTransitionTime ?? c.lastUpdateTime,
  }));

const safe = (f: () => number): number => {
  try {
    return f();
  } catch {
    return 0;
  }
};
const cpu = (q: string | undefined) => (q === undefined ? 0 : safe(() => milliValue(q)));
const bytes = (q: string | undefined) => (q === undefined ? 0 : safe(() => parseQuantity(q)));

export function nodeView(node: Node): NodeView {
  const status = node.status ?? {};
  const cap = status.capacity ?? {};
  const alloc = status.allocatable ?? cap;
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  return {
    key: objectKey(node),
    name: node.metadata.name!,
    uid: node.metadata.uid ?? '',
    ready,
    unschedulable: !!node.spec?.unschedulable,
    conditions: conditions(status.conditions),
    capacity: { cpu: cpu(cap.cpu), memory: bytes(cap.memory), pods: bytes(cap.pods) },
    allocatable: { cpu: cpu(alloc.cpu), memory: bytes(alloc.memory), pods: bytes(alloc.pods) },
    taints: (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
    address: status.addresses?.find((a) => a.type === 'InternalIP')?.address,
    kubeletVersion: status.nodeInfo?.kubeletVersion,
    labels: node.metadata.labels ?? {},
  };
}

function owner(obj: KubeObject) {
  const ref = controllerOf(obj);
  return ref ? { kind: ref.kind, name: ref.name, uid: ref.uid } : undefined;
}

/** `unhealthy`: the message of the latest probe failure reported for this pod, if any. */
export function podView(pod: Pod, unhealthy?: string): PodView {
  const summary = podStatusSummary(pod);
  const status = pod.status ?? {};
  const containers: ContainerView[] = [];
  const specs = new Map([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => [c.name, c]));
  const add = (init: boolean) => (c: NonNullable<typeof status.containerStatuses>[number]) => {
    const state = c.state?.running ? 'running' : c.state?.waiting ? 'waiting' : c.state?.terminated ? 'terminated' : 'unknown';
    containers.push({
      name: c.name,
      init,
      image: c.image || specs.get(c.name)?.image || '',
      ready: c.ready,
      restarts: c.restartCount,
      state,
      words: containerStateWords(c.state),
      reason: c.state?.waiting?.reason ?? c.state?.terminated?.reason,
    });
  };
  (status.initContainerStatuses ?? []).forEach(add(true));
  (status.containerStatuses ?? []).forEach(add(false));
  const reported = new Set(containers.map((c) => c.name));
  for (const c of pod.spec.containers)
    if (!reported.has(c.name))
      containers.push({
        name: c.name,
        init: false,
        image: c.image ?? '',
        ready: false,
        restarts: 0,
        state: 'unknown',
        words: 'not created yet',
      });
  let cpuRequest = 0;
  let memoryRequest = 0;
  for (const c of pod.spec.containers) {
    cpuRequest += cpu(c.resources?.requests?.cpu);
    memoryRequest += bytes(c.resources?.requests?.memory);
  }
  return {
    key: objectKey(pod),
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name!,
    uid: pod.metadata.uid ?? '',
    node: pod.spec.nodeName,
    phase: status.phase ?? 'Pending',
    status: summary.status,
    ready: summary.total > 0 && summary.ready === summary.total,
    readyCount: summary.ready,
    containerCount: summary.total,
    restarts: summary.restarts,
    containers,
    owner: owner(pod),
    labels: pod.metadata.labels ?? {},
    requests: { cpu: cpuRequest, memory: memoryRequest },
    ip: status.podIP,
    conditions: conditions(status.conditions),
    why: whyNotReady(pod, unhealthy),
    created: pod.metadata.creationTimestamp ?? '',
    deleting: !!pod.metadata.deletionTimestamp,
  };
}

interface AnyWorkload extends KubeObject {
  spec?: { replicas?: number; completions?: number; parallelism?: number; suspend?: boolean; schedule?: string };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentReplicas?: number;
    conditions?: Condition[];
    // DaemonSets
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    // Jobs
    active?: number;
    succeeded?: number;
    failed?: number;
    ready?: number;
    // CronJobs
    lastScheduleTime?: string;
  };
}

/** Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs as one kind of view. */
export function workloadView(kind: string, obj: AnyWorkload): WorkloadView {
  const s = obj.status ?? {};
  const base = {
    key: `${kind}/${objectKey(obj)}`,
    kind,
    namespace: obj.metadata.namespace!,
    name: obj.metadata.name!,
    uid: obj.metadata.uid ?? '',
    owner: owner(obj),
    revision: obj.metadata.annotations?.['deployment.kubernetes.io/revision'],
    conditions: conditions(s.conditions),
    created: obj.metadata.creationTimestamp ?? '',
  };
  switch (kind) {
    case 'DaemonSet': {
      const desired = s.desiredNumberScheduled ?? 0;
      return {
        ...base,
        desired,
        current: s.currentNumberScheduled,
        ready: s.numberReady ?? 0,
        updated: s.updatedNumberScheduled,
        available: s.numberAvailable,
        summary: `${s.numberReady ?? 0}/${desired} ready on their nodes`,
        scalable: false,
      };
    }
    case 'Job': {
      const completions = obj.spec?.completions ?? 1;
      return {
        ...base,
        desired: completions,
        current: s.active ?? 0,
        ready: s.succeeded ?? 0,
        summary: `${s.succeeded ?? 0}/${completions} completed, ${s.active ?? 0} running${s.failed ? `, ${s.failed} failed` : ''}`,
        scalable: false,
      };
    }
    case 'CronJob':
      return {
        ...base,
        summary: `schedule "${obj.spec?.schedule ?? ''}"${obj.spec?.suspend ? ', suspended' : ''}${s.lastScheduleTime ? `, last run ${s.lastScheduleTime}` : ''}`,
        scalable: false,
      };
    default: {
      const desired = obj.spec?.replicas ?? 1;
      const ready = s.readyReplicas ?? 0;
      const updated = kind === 'Deployment' ? `, ${s.updatedReplicas ?? 0} up to date` : '';
      return {
        ...base,
        desired,
        current: s.replicas ?? 0,
        ready,
        updated: s.updatedReplicas,
        available: s.availableReplicas,
        summary: `${ready}/${desired} ready${updated}`,
        scalable: true,
      };
    }
  }
}

export function serviceView(svc: Service): ServiceView {
  return {
    key: objectKey(svc),
    namespace: svc.metadata.namespace!,
    name: svc.metadata.name!,
    uid: svc.metadata.uid ?? '',
    type: svc.spec.type ?? 'ClusterIP',
    clusterIP: svc.spec.clusterIP,
    ports: (svc.spec.ports ?? []).map((p) => ({
      name: p.name,
      protocol: p.protocol ?? 'TCP',
      port: p.port,
      targetPort: String(p.targetPort ?? p.port),
      nodePort: p.nodePort,
    })),
    selector: svc.spec.selector ?? {},
  };
}

export function endpointsView(ep: Endpoints): EndpointsView {
  const ports: EndpointsView['ports'] = [];
  for (const subset of ep.subsets ?? []) {
    const addresses = [
      ...(subset.addresses ?? []).map((a) => ({ a, ready: true })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ a, ready: false })),
    ].map(({ a, ready }) => ({
      ip: a.ip,
      ready,
      pod: a.targetRef?.kind === 'Pod' ? a.targetRef.name : undefined,
      node: a.nodeName,
    }));
    for (const p of subset.ports ?? []) ports.push({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', addresses });
  }
  return { key: objectKey(ep), namespace: ep.metadata.namespace!, name: ep.metadata.name!, ports };
}

export function eventView(e: Event): EventView {
  return {
    key: objectKey(e),
    namespace: e.metadata.namespace ?? '',
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    object: {
      kind: e.involvedObject.kind ?? '',
      name: e.involvedObject.name ?? '',
      namespace: e.involvedObject.namespace,
      uid: e.involvedObject.uid,
    },
    count: e.count ?? 1,
    last: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '',
    source: e.source?.component ?? e.reportingComponent ?? '',
  };
}

export function leaseView(l: Lease): LeaseView {
  return {
    key: objectKey(l),
    namespace: l.metadata.namespace!,
    name: l.metadata.name!,
    holder: l.spec?.holderIdentity,
    renewTime: l.spec?.renewTime,
    durationSeconds: l.spec?.leaseDurationSeconds,
    transitions: l.spec?.leaseTransitions,
  };
}
