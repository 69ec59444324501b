// The HorizontalPodAutoscaler controller (autoscaling/v2, CPU utilization): every sync period it reads the
// target's Scale, the pods' CPU from metrics.k8s.io, computes the desired replicas and writes the Scale.
import type { Scale } from '../../shared/api/apps';
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling';
import type { Pod } from '../../shared/api/core';
import type { Condition, KubeList } from '../../shared/api/meta';
import { objectKey, rfc3339, splitKey } from '../../shared/api/meta';
import type { PodMetrics } from '../../shared/api/metrics';
import { Deployments, HorizontalPodAutoscalers, Pods, ReplicaSets, resourcePath } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { parseSelector } from '../../shared/labels';
import { parseQuantity } from '../../shared/quantity';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, isPodActive, setCondition } from '../controller';
import { cpuUtilization, PodUsage, replicasForUtilization, scaleUpLimit, stabilize } from './replicas';

export interface HPAOptions {
  syncPeriodMs: number;
  downscaleStabilizationMs: number;
}

export class HorizontalController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  readonly queue: RateLimitingQueue;
  private readonly hpas: Lister<HorizontalPodAutoscaler>;
  private readonly pods: Lister<Pod>;
  private readonly recommendations = new Map<string, { at: number; replicas: number }[]>();

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
    private readonly opts: HPAOptions,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'horizontalpodautoscaler' });
    const informer = informers.informerFor<HorizontalPodAutoscaler>(HorizontalPodAutoscalers);
    this.hpas = informer.lister;
    this.pods = informers.informerFor<Pod>(Pods).lister;
    informer.addEventHandler({ add: (h) => this.queue.add(objectKey(h)), update: (_o, h) => this.queue.add(objectKey(h)) });
  }

  private targetPath(hpa: HorizontalPodAutoscaler): string | undefined {
    const ref = hpa.spec.scaleTargetRef;
    const resource = ref.kind === 'Deployment' ? Deployments : ref.kind === 'ReplicaSet' ? ReplicaSets : undefined;
    return resource && resourcePath(resource, hpa.metadata.namespace, ref.name, 'scale');
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const hpa = this.hpas.get(namespace, name);
    if (!hpa) {
      this.recommendations.delete(key);
      return;
    }
    this.queue.addAfter(key, this.opts.syncPeriodMs);
    const now = this.clock.now();
    const at = rfc3339(new Date(now));
    const cond = (type: string, status: boolean, reason: string, message: string): Condition => ({
      type,
      status: status ? 'True' : 'False',
      reason,
      message,
      lastTransitionTime: at,
    });
    let conditions = hpa.status?.conditions;
    const path = this.targetPath(hpa);
    if (!path) {
      conditions = setCondition(
        conditions,
        cond(
          'AbleToScale',
          false,
          'FailedGetScale',
          `the HPA controller was unable to get the target's current scale: unsupported kind ${hpa.spec.scaleTargetRef.kind}`,
        ),
      );
      return this.writeStatus(hpa, { ...hpa.status, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions });
    }
    let scale: Scale;
    try {
      scale = await this.client.request<Scale>('GET', path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      conditions = setCondition(
        conditions,
        cond(
          'AbleToScale',
          false,
          'FailedGetScale',
          `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`,
        ),
      );
      return this.writeStatus(hpa, { ...hpa.status, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions });
    }
    const current = scale.spec.replicas ?? 0;
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    conditions = setCondition(
      conditions,
      cond('AbleToScale', true, 'SucceededGetScale', "the HPA controller was able to get the target's current scale"),
    );
    if (current === 0) {
      conditions = setCondition(
        conditions,
        cond('ScalingActive', false, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero'),
      );
      return this.writeStatus(hpa, { ...hpa.status, currentReplicas: 0, desiredReplicas: 0, conditions });
    }
    const metric = hpa.spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    const target = metric?.resource?.target.averageUtilization ?? 80;
    const selector = parseSelector(scale.status?.selector ?? '');
    const pods = this.pods.list(namespace, selector).filter(isPodActive);
    const usage = await this.podUsage(namespace!, scale.status?.selector ?? '');
    const measured = cpuUtilization(pods, usage);
    let desired = current;
    if ('error' in measured) {
      conditions = setCondition(conditions, cond('ScalingActive', false, 'FailedGetResourceMetric', measured.error));
    } else {
      conditions = setCondition(
        conditions,
        cond(
          'ScalingActive',
          true,
          'ValidMetricFound',
          'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
        ),
      );
      const recommended = replicasForUtilization(measured.counted, measured.utilization, target);
      const history = [...(this.recommendations.get(key) ?? []), { at: now, replicas: recommended }].filter(
        (r) => now - r.at <= this.opts.downscaleStabilizationMs,
      );
      this.recommendations.set(key, history);
      desired =
        recommended < current
          ? Math.min(current, stabilize(history, now, this.opts.downscaleStabilizationMs))
          : Math.min(recommended, scaleUpLimit(current));
    }
    const bounded = Math.min(max, Math.max(min, desired));
    conditions = setCondition(
      conditions,
      bounded !== desired
        ? cond(
            'ScalingLimited',
            true,
            bounded === max ? 'TooManyReplicas' : 'TooFewReplicas',
            `the desired replica count is ${bounded === max ? 'more than the maximum' : 'less than the minimum'} replica count`,
          )
        : cond('ScalingLimited', false, 'DesiredWithinRange', 'the desired count is within the acceptable range'),
    );
    let lastScaleTime = hpa.status?.lastScaleTime;
    if (bounded !== current) {
      await this.client.request('PUT', path, { body: { ...scale, spec: { replicas: bounded } } });
      lastScaleTime = at;
      const why =
        'error' in measured
          ? 'metrics unavailable'
          : `cpu resource utilization (percentage of request) ${bounded > current ? 'above' : 'below'} target`;
      this.recorder.event(
        { ...hpa, kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2' },
        'Normal',
        'SuccessfulRescale',
        `New size: ${bounded}; reason: ${why}`,
      );
    }
    await this.writeStatus(hpa, {
      observedGeneration: hpa.metadata.generation,
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas: current,
      desiredReplicas: bounded,
      currentMetrics:
        'error' in measured
          ? []
          : [
              {
                type: 'Resource',
                resource: { name: 'cpu', current: { averageUtilization: measured.utilization, averageValue: `${measured.averageMilli}m` } },
              },
            ],
      conditions,
    });
  }

  private async podUsage(namespace: string, selector: string): Promise<Map<string, PodUsage>> {
    const list = await this.client.request<KubeList<PodMetrics>>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`, {
      query: { labelSelector: selector },
    });
    return new Map(
      list.items.map((m) => [
        m.metadata.name!,
        { milliCPU: m.containers.reduce((s, c) => s + parseQuantity(c.usage.cpu ?? '0') * 1000, 0) },
      ]),
    );
  }

  private async writeStatus(hpa: HorizontalPodAutoscaler, status: NonNullable<HorizontalPodAutoscaler['status']>): Promise<void> {
    try {
      await this.client.resource<HorizontalPodAutoscaler>(HorizontalPodAutoscalers).updateStatus({ ...hpa, status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
