// The kubelet's Prometheus metrics, as Kubernetes names them, served on its port as /metrics (authorized
// as nodes/metrics).
import { collectDefaultMetrics, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import type { Pod } from '../shared/api/core';
import type { Clock } from '../shared/clock';
import { INFRA_NAME, RuntimeContainer } from './runtime/interface';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const podStartDuration = new Histogram({
  name: 'kubelet_pod_start_duration_seconds',
  help: "Duration in seconds from a pod's creation until all its containers are seen running.",
  buckets: [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600],
  registers: [registry],
});

export const runtimeOperationsDuration = new Histogram({
  name: 'kubelet_runtime_operations_duration_seconds',
  help: 'Duration in seconds of runtime operations, by operation type.',
  labelNames: ['operation_type'],
  buckets: exponentialBuckets(0.005, 2.5, 14),
  registers: [registry],
});

/** Prometheus' default buckets (client_golang's DefBuckets), which upstream uses for the pod worker histograms. */
const DEF_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const podWorkerStartDuration = new Histogram({
  name: 'kubelet_pod_worker_start_duration_seconds',
  help: 'Duration in seconds from kubelet seeing a pod to starting a worker.',
  buckets: DEF_BUCKETS,
  registers: [registry],
});

export const podWorkerDuration = new Histogram({
  name: 'kubelet_pod_worker_duration_seconds',
  help: 'Duration in seconds to sync a single pod. Broken down by operation type: create, sync, or kill.',
  labelNames: ['operation_type'],
  buckets: DEF_BUCKETS,
  registers: [registry],
});

export const plegRelistDuration = new Histogram({
  name: 'kubelet_pleg_relist_duration_seconds',
  help: 'Duration in seconds for relisting pods in PLEG.',
  buckets: exponentialBuckets(0.005, 2, 12),
  registers: [registry],
});

/** kubelet_running_pods and kubelet_running_containers, counted from the last relist when scraped. */
export function registerRunningGauges(containers: () => RuntimeContainer[]): void {
  new Gauge({
    name: 'kubelet_running_pods',
    help: 'Number of pods that have a running pod sandbox.',
    registers: [registry],
    collect() {
      this.set(
        new Set(
          containers()
            .filter((c) => c.name === INFRA_NAME && c.state === 'running')
            .map((c) => c.podUid),
        ).size,
      );
    },
  });
  new Gauge({
    name: 'kubelet_running_containers',
    help: 'Number of containers currently running (container_state="running"), and in the other states.',
    labelNames: ['container_state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of containers()) if (c.name !== INFRA_NAME) this.inc({ container_state: c.state });
    },
  });
}

const allContainersRunning = (pod: Pod): boolean =>
  pod.spec.containers.every((spec) => pod.status?.containerStatuses?.some((s) => s.name === spec.name && s.state?.running));

/**
 * Kubernetes' pod startup latency tracker: watches the pods of this node and observes, once per pod, the
 * time from its creationTimestamp until its status shows every container running. A pod already
 * running when first seen (adopted after a kubelet restart) is not observed.
 */
export class PodStartupLatencyTracker {
  /** Pods seen not yet running, by uid. */
  private readonly pending = new Set<string>();
  /** Pods observed running, or running when first seen. */
  private readonly done = new Set<string>();

  constructor(private readonly clock: Clock) {}

  observedPodOnWatch(pod: Pod): void {
    const uid = pod.metadata.uid!;
    if (this.done.has(uid)) return;
    if (!allContainersRunning(pod)) return void this.pending.add(uid);
    this.done.add(uid);
    if (!this.pending.delete(uid)) return;
    const created = Date.parse(pod.metadata.creationTimestamp ?? '');
    if (!Number.isNaN(created)) podStartDuration.observe(Math.max(0, this.clock.now() - created) / 1000);
  }

  deletePodStartupState(pod: Pod): void {
    this.pending.delete(pod.metadata.uid!);
    this.done.delete(pod.metadata.uid!);
  }
}

/**
 * kubelet_pod_worker_start_duration_seconds: the time from the kubelet's first sight of a pod (its
 * informer's add) until the pod's first sync starts, observed once per pod.
 */
export class PodWorkerStartTracker {
  /** When each pod not yet synced was first seen, by uid. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  podSeen(uid: string): void {
    if (!this.seen.has(uid)) this.seen.set(uid, this.clock.now());
  }

  /** The pod's sync starts; true if it is the pod's first (a create). */
  workerStarted(uid: string): boolean {
    const at = this.seen.get(uid);
    if (at === undefined) return false;
    this.seen.delete(uid);
    podWorkerStartDuration.observe((this.clock.now() - at) / 1000);
    return true;
  }

  forget(uid: string): void {
    this.seen.delete(uid);
  }
}
