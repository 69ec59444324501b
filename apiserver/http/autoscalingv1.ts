// autoscaling/v1 HorizontalPodAutoscalers, which `kubectl autoscale` creates: stored as autoscaling/v2
// and converted on the way in and out (v1's targetCPUUtilizationPercentage is v2's CPU Utilization metric).
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling';
import type { KubeObject } from '../../shared/api/meta';
import type { ResourceInfo } from '../../shared/api/resources';
import { HorizontalPodAutoscalers } from '../../shared/api/resources';

export const HorizontalPodAutoscalersV1: ResourceInfo = {
  ...HorizontalPodAutoscalers,
  version: 'v1',
  categories: undefined,
  shortNames: undefined,
  subresources: undefined,
  verbs: ['create', 'get', 'list'],
};

interface HPAv1 extends KubeObject {
  spec: {
    scaleTargetRef: HorizontalPodAutoscaler['spec']['scaleTargetRef'];
    minReplicas?: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage?: number;
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas?: number;
    currentCPUUtilizationPercentage?: number;
  };
}

export function toV2(obj: HPAv1): HorizontalPodAutoscaler {
  const { targetCPUUtilizationPercentage, ...spec } = obj.spec ?? ({} as HPAv1['spec']);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: obj.metadata,
    spec: {
      ...spec,
      ...(targetCPUUtilizationPercentage !== undefined
        ? {
            metrics: [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } },
              },
            ],
          }
        : {}),
    },
  };
}

export function toV1(obj: HorizontalPodAutoscaler): HPAv1 {
  const cpu = obj.spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.target.averageUtilization;
  const current = obj.status?.currentMetrics?.find((m) => m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
  const { metrics: _m, behavior: _b, ...spec } = obj.spec;
  const { currentMetrics: _c, conditions: _k, ...status } = obj.status ?? { desiredReplicas: 0 };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: obj.metadata,
    spec: { ...spec, ...(cpu !== undefined ? { targetCPUUtilizationPercentage: cpu } : {}) },
    status: { ...status, ...(current !== undefined ? { currentCPUUtilizationPercentage: current } : {}) },
  };
}
