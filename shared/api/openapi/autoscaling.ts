// autoscaling/v2 HorizontalPodAutoscalers, and the autoscaling/v1 view of them and of Scale.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { definitions, int32, int64, list, listMap, object, ref, str } from './model';

export const autoscalingV2 = definitions('io.k8s.api.autoscaling.v2', {
  ContainerResourceMetricSource: object({
    container: str(),
    name: str(),
    target: ref('MetricTarget'),
  }),
  ContainerResourceMetricStatus: object({
    container: str(),
    current: ref('MetricValueStatus'),
    name: str(),
  }),
  CrossVersionObjectReference: object(
    {
      apiVersion: str(),
      kind: str(),
      name: str(),
    },
    { required: ['kind', 'name'] },
  ),
  ExternalMetricSource: object({
    metric: ref('MetricIdentifier'),
    target: ref('MetricTarget'),
  }),
  ExternalMetricStatus: object({
    current: ref('MetricValueStatus'),
    metric: ref('MetricIdentifier'),
  }),
  HPAScalingPolicy: object({
    periodSeconds: int32(),
    type: str(),
    value: int32(),
  }),
  HPAScalingRules: object({
    policies: list(ref('HPAScalingPolicy')),
    selectPolicy: str(),
    stabilizationWindowSeconds: int32(),
    tolerance: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
  }),
  HorizontalPodAutoscaler: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('HorizontalPodAutoscalerSpec', undefined, { default: {} }),
    status: ref('HorizontalPodAutoscalerStatus'),
  }),
  HorizontalPodAutoscalerBehavior: object({
    scaleDown: ref('HPAScalingRules'),
    scaleUp: ref('HPAScalingRules'),
  }),
  HorizontalPodAutoscalerCondition: object({
    lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    message: str(),
    reason: str(),
    status: str(),
    type: str(),
  }),
  HorizontalPodAutoscalerSpec: object(
    {
      behavior: ref('HorizontalPodAutoscalerBehavior'),
      maxReplicas: int32(),
      metrics: list(ref('MetricSpec')),
      minReplicas: int32(),
      scaleTargetRef: ref('CrossVersionObjectReference'),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  HorizontalPodAutoscalerStatus: object({
    conditions: listMap(ref('HorizontalPodAutoscalerCondition'), ['type']),
    currentMetrics: list(ref('MetricStatus')),
    currentReplicas: int32(),
    desiredReplicas: int32(),
    lastScaleTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    observedGeneration: int64(),
  }),
  MetricIdentifier: object({
    name: str(),
    selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  }),
  MetricSpec: object({
    containerResource: ref('ContainerResourceMetricSource'),
    external: ref('ExternalMetricSource'),
    object: ref('ObjectMetricSource'),
    pods: ref('PodsMetricSource'),
    resource: ref('ResourceMetricSource'),
    type: str(),
  }),
  MetricStatus: object({
    containerResource: ref('ContainerResourceMetricStatus'),
    external: ref('ExternalMetricStatus'),
    object: ref('ObjectMetricStatus'),
    pods: ref('PodsMetricStatus'),
    resource: ref('ResourceMetricStatus'),
    type: str(),
  }),
  MetricTarget: object({
    averageUtilization: int32(),
    averageValue: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
    type: str(),
    value: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
  }),
  MetricValueStatus: object({
    averageUtilization: int32(),
    averageValue: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
    value: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
  }),
  ObjectMetricSource: object({
    describedObject: ref('CrossVersionObjectReference'),
    metric: ref('MetricIdentifier'),
    target: ref('MetricTarget'),
  }),
  ObjectMetricStatus: object({
    current: ref('MetricValueStatus'),
    describedObject: ref('CrossVersionObjectReference'),
    metric: ref('MetricIdentifier'),
  }),
  PodsMetricSource: object({
    metric: ref('MetricIdentifier'),
    target: ref('MetricTarget'),
  }),
  PodsMetricStatus: object({
    current: ref('MetricValueStatus'),
    metric: ref('MetricIdentifier'),
  }),
  ResourceMetricSource: object({
    name: str(),
    target: ref('MetricTarget'),
  }),
  ResourceMetricStatus: object({
    current: ref('MetricValueStatus'),
    name: str(),
  }),
});

export const autoscalingV1 = definitions('io.k8s.api.autoscaling.v1', {
  CrossVersionObjectReference: object(
    {
      apiVersion: str(),
      kind: str(),
      name: str(),
    },
    { required: ['kind', 'name'] },
  ),
  HorizontalPodAutoscaler: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('HorizontalPodAutoscalerSpec', undefined, { default: {} }),
    status: ref('HorizontalPodAutoscalerStatus'),
  }),
  HorizontalPodAutoscalerSpec: object(
    {
      maxReplicas: int32(),
      minReplicas: int32(),
      scaleTargetRef: ref('CrossVersionObjectReference'),
      targetCPUUtilizationPercentage: int32(),
    },
    { required: ['scaleTargetRef', 'maxReplicas'] },
  ),
  HorizontalPodAutoscalerStatus: object({
    currentCPUUtilizationPercentage: int32(),
    currentReplicas: int32(),
    desiredReplicas: int32(),
    lastScaleTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    observedGeneration: int64(),
  }),
  Scale: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('ScaleSpec'),
    status: ref('ScaleStatus'),
  }),
  ScaleSpec: object({
    replicas: int32(),
  }),
  ScaleStatus: object({
    replicas: int32(),
    selector: str(),
  }),
});
