// The scheduler's loop: pending pods (no nodeName, our schedulerName) are queued by key; scheduleOne
// takes one, finds a node and assumes it there; the binding (POST pods/<name>/binding) then goes on in
// the background, as Kubernetes' binding cycle does, so the next pod is scheduled meanwhile. Pods that
// fit nowhere are marked Unschedulable and tried again when nodes or pods change (or every 30 s).
// Each attempt is counted and timed in metrics.ts, as Kubernetes' scheduler does.
import type { Binding, Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../shared/api/core';
import { objectKey, rfc3339 } from '../shared/api/meta';
import { Nodes, PersistentVolumeClaims, PersistentVolumes, Pods, StorageClasses } from '../shared/api/resources';
import type { StorageClass } from '../shared/api/storage';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import { isConflict, isNotFound } from '../shared/errors';
import { EventRecorder } from '../shared/events';
import type { SharedInformerFactory } from '../shared/informer';
import type { Logger } from '../shared/log';
import { ItemExponentialFailureRateLimiter } from '../shared/ratelimiter';
import { RateLimitingQueue, runWorkers } from '../shared/workqueue';
import { findNodeForPod } from './algorithm';
import { SchedulerCache } from './cache';
import type { FilterPlugin, ScorePlugin } from './framework';
import { extensionPointDuration, PendingPods, scheduleAttempts, ScheduleResult, schedulingAttemptDuration } from './metrics';
import { DEFAULT_FILTERS } from './plugins/filters';
import { DEFAULT_SCORES } from './plugins/scores';
import { VolumeBinding } from './plugins/volumebinding';

const FLUSH_UNSCHEDULABLE_MS = 30_000;
/** Bindings in flight at once; the scheduling loop waits when this many are outstanding. */
const MAX_BINDS_IN_FLIGHT = 32;

export interface SchedulerOptions {
  schedulerName: string;
  filters?: FilterPlugin[];
  scores?: ScorePlugin[];
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: RateLimitingQueue;
  private readonly unschedulable = new Set<string>();
  private readonly recorder: EventRecorder;
  private readonly filters: FilterPlugin[];
  private readonly scores: ScorePlugin[];
  private flushTimer?: unknown;
  private readonly binding = new Set<Promise<void>>();
  private readonly volumeBinding: VolumeBinding;

  constructor(
    private readonly client: Client,
    private readonly informers: SharedInformerFactory,
    private readonly opts: SchedulerOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new RateLimitingQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(1000, 10_000) });
    this.recorder = new EventRecorder(client, { component: opts.schedulerName }, { clock, logger: log });
    const claims = informers.informerFor<PersistentVolumeClaim>(PersistentVolumeClaims);
    const volumes = informers.informerFor<PersistentVolume>(PersistentVolumes);
    const classes = informers.informerFor<StorageClass>(StorageClasses);
    this.volumeBinding = new VolumeBinding({
      claim: (ns, name) => claims.lister.get(ns, name),
      volumes: () => volumes.lister.list(),
      volume: (name) => volumes.lister.get(undefined, name),
      storageClass: (name) => classes.lister.get(undefined, name),
    });
    this.filters = opts.filters ?? [...DEFAULT_FILTERS, this.volumeBinding];
    this.scores = opts.scores ?? DEFAULT_SCORES;
    // A claim bound or created, a volume made or freed, a class added: pods waiting on them may fit now.
    const retry = { add: () => this.retryUnschedulable(), update: () => this.retryUnschedulable() };
    claims.addEventHandler(retry);
    volumes.addEventHandler(retry);
    classes.addEventHandler(retry);
    const pods = informers.informerFor<Pod>(Pods);
    const nodes = informers.informerFor<Node>(Nodes);
    pods.addEventHandler({
      add: (pod) => this.onPod(pod),
      update: (_old, pod) => this.onPod(pod),
      delete: (pod) => {
        this.cache.removePod(pod);
        this.retryUnschedulable();
      },
    });
    nodes.addEventHandler({
      add: (node) => {
        this.cache.setNode(node);
        this.retryUnschedulable();
      },
      update: (old, node) => {
        this.cache.setNode(node);
        if (
          JSON.stringify([old.metadata.labels, old.spec, old.status?.allocatable, old.status?.conditions?.map((c) => c.status)]) !==
          JSON.stringify([node.metadata.labels, node.spec, node.status?.allocatable, node.status?.conditions?.map((c) => c.status)])
        )
          this.retryUnschedulable();
      },
      delete: (node) => this.cache.removeNode(node.metadata.name!),
    });
  }

  private responsibleFor(pod: Pod): boolean {
    return (
      !pod.spec.nodeName && (pod.spec.schedulerName ?? 'default-scheduler') === this.opts.schedulerName && !pod.metadata.deletionTimestamp
    );
  }

  private onPod(pod: Pod): void {
    this.cache.updatePod(pod);
    if (this.responsibleFor(pod)) this.queue.add(objectKey(pod));
  }

  /** Cluster changed: pods that fit nowhere get another chance. */
  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
    this.unschedulable.clear();
  }

  run(workers = 1): Promise<void> {
    const flush = () => {
      this.retryUnschedulable();
      this.flushTimer = this.clock.setTimeout(flush, FLUSH_UNSCHEDULABLE_MS);
    };
    this.flushTimer = this.clock.setTimeout(flush, FLUSH_UNSCHEDULABLE_MS);
    return runWorkers(this.queue, workers, (key) => this.scheduleOne(key), this.log);
  }

  /** What scheduler_pending_pods reports. */
  pendingPods(): PendingPods {
    return { active: this.queue.len(), unschedulable: this.unschedulable.size };
  }

  stop(): void {
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    this.queue.shutDown();
  }

  async scheduleOne(key: string): Promise<void> {
    const pod = this.informers.informerFor<Pod>(Pods).lister.getByKey(key);
    if (!pod || !this.responsibleFor(pod) || this.cache.isAssumed(pod)) return;
    const start = this.clock.now();
    const result = findNodeForPod(pod, this.cache.nodeInfos(), this.filters, this.scores);
    if ('error' in result) {
      this.recordAttempt('error', start);
      throw new Error(result.error); // retried with back-off
    }
    if ('unschedulable' in result) {
      this.recordAttempt('unschedulable', start);
      return this.markUnschedulable(pod, key, result.unschedulable);
    }
    this.cache.assume(pod, result.node);
    this.unschedulable.delete(key);
    while (this.binding.size >= MAX_BINDS_IN_FLIGHT) await Promise.race(this.binding);
    const cycle = this.bindingCycle(pod, key, result.node, start).finally(() => this.binding.delete(cycle));
    this.binding.add(cycle);
  }

  /** Binds an assumed pod; on failure the pod leaves its node in the cache and is tried again. */
  private async bindingCycle(pod: Pod, key: string, node: string, start: number): Promise<void> {
    try {
      if (this.filters.includes(this.volumeBinding) && this.volumeBinding.needsBinding(pod)) await this.preBindVolumes(pod, node);
      await this.bind(pod, node);
      this.recordAttempt('scheduled', start);
      this.recorder.event(
        { ...pod, kind: 'Pod', apiVersion: 'v1' },
        'Normal',
        'Scheduled',
        `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`,
      );
      this.log.info({ pod: key, node }, 'bound');
    } catch (err) {
      this.recordAttempt('error', start);
      this.cache.forget(pod);
      if (isNotFound(err) || isConflict(err)) return; // deleted, or bound by someone else
      this.log.warn({ pod: key, node, err }, 'binding failed; trying again');
      this.queue.addRateLimited(key);
    }
  }

  /** VolumeBinding's PreBind: the pod's claims get their volumes on the node before the pod is bound there. */
  private async preBindVolumes(pod: Pod, node: string): Promise<void> {
    const info = this.cache.nodeInfos().find((n) => n.node.metadata.name === node);
    if (!info) throw new Error(`node "${node}" not found`);
    const binder = {
      bindVolume: async (pv: PersistentVolume) => void (await this.client.resource<PersistentVolume>(PersistentVolumes).update(pv)),
      selectNode: async (pvc: PersistentVolumeClaim) =>
        void (await this.client.resource<PersistentVolumeClaim>(PersistentVolumeClaims).update(pvc)),
    };
    try {
      await this.volumeBinding.preBind(
        pod,
        info.node,
        binder,
        (ms) => this.clock.sleep(ms),
        () => this.clock.now(),
      );
    } catch (err) {
      // Whatever went wrong (a conflict on a volume another pod took, a timeout), the pod is scheduled again.
      throw new Error(`running PreBind plugin "VolumeBinding": ${(err as Error).message}`, { cause: err });
    }
  }

  private async bind(pod: Pod, node: string): Promise<void> {
    const binding: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    const start = this.clock.now();
    let status = 'Error';
    try {
      await this.client.resource<Pod>(Pods).subresource('POST', pod.metadata.namespace, pod.metadata.name!, 'binding', binding);
      status = 'Success';
    } finally {
      extensionPointDuration.observe(
        { extension_point: 'Bind', status, profile: this.opts.schedulerName },
        (this.clock.now() - start) / 1000,
      );
    }
  }

  /** scheduler_schedule_attempts_total and scheduler_scheduling_attempt_duration_seconds. */
  private recordAttempt(result: ScheduleResult, start: number): void {
    const labels = { result, profile: this.opts.schedulerName };
    scheduleAttempts.inc(labels);
    schedulingAttemptDuration.observe(labels, (this.clock.now() - start) / 1000);
  }

  private async markUnschedulable(pod: Pod, key: string, message: string): Promise<void> {
    this.unschedulable.add(key);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    this.log.info({ pod: key, reason: message }, 'unschedulable');
    if (current?.status === 'False' && current.message === message) return;
    this.recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, 'Warning', 'FailedScheduling', message);
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: rfc3339(new Date(this.clock.now())),
    };
    try {
      await this.client
        .resource<Pod>(Pods)
        .patch(pod.metadata.namespace, pod.metadata.name!, { status: { conditions: [condition] } }, 'strategic', 'status');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
