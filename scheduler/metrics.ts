// kube-scheduler's Prometheus metrics, as Kubernetes names them, served on its secure port (10259).
import { collectDefaultMetrics, Counter, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export type ScheduleResult = 'scheduled' | 'unschedulable' | 'error';

export const scheduleAttempts = new Counter({
  name: 'scheduler_schedule_attempts_total',
  help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
  labelNames: ['result', 'profile'],
  registers: [registry],
});

export const schedulingAttemptDuration = new Histogram({
  name: 'scheduler_scheduling_attempt_duration_seconds',
  help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
  labelNames: ['result', 'profile'],
  buckets: exponentialBuckets(0.001, 2, 15),
  registers: [registry],
});

export const extensionPointDuration = new Histogram({
  name: 'scheduler_framework_extension_point_duration_seconds',
  help: 'Latency for running all plugins of a specific extension point (here: Bind).',
  labelNames: ['extension_point', 'status', 'profile'],
  buckets: exponentialBuckets(0.0001, 2, 12),
  registers: [registry],
});

/** The pods waiting in each of the scheduler's queues. */
export interface PendingPods {
  active: number;
  unschedulable: number;
}

let pendingPods: () => PendingPods = () => ({ active: 0, unschedulable: 0 });

new Gauge({
  name: 'scheduler_pending_pods',
  help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'unschedulable' means number of pods in unschedulablePods.",
  labelNames: ['queue'],
  registers: [registry],
  collect() {
    const p = pendingPods();
    this.set({ queue: 'active' }, p.active);
    this.set({ queue: 'unschedulable' }, p.unschedulable);
  },
});

/** Where scheduler_pending_pods is read when scraped: the scheduler of the current leadership term. */
export function observePendingPods(source: () => PendingPods): void {
  pendingPods = source;
}
