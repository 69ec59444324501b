// apps/v1: Deployments and ReplicaSets.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, int32, int64, list, object, ref, str } from './model';

export const apps = definitions('io.k8s.api.apps.v1', {
  Deployment: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('DeploymentSpec', undefined, { default: {} }),
    status: ref('DeploymentStatus'),
  }),
  DeploymentCondition: object({
    lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    lastUpdateTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    message: str(),
    reason: str(),
    status: str(),
    type: str(),
  }),
  DeploymentSpec: object(
    {
      minReadySeconds: int32(),
      paused: bool(),
      progressDeadlineSeconds: int32(),
      replicas: int32(),
      revisionHistoryLimit: int32(),
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      strategy: ref('DeploymentStrategy'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
    },
    { required: ['selector', 'template'] },
  ),
  DeploymentStatus: object({
    availableReplicas: int32(),
    collisionCount: int32(),
    conditions: list(ref('DeploymentCondition')),
    observedGeneration: int64(),
    readyReplicas: int32(),
    replicas: int32(),
    terminatingReplicas: int32(),
    unavailableReplicas: int32(),
    updatedReplicas: int32(),
  }),
  DeploymentStrategy: object({
    rollingUpdate: ref('RollingUpdateDeployment'),
    type: str(),
  }),
  ReplicaSet: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('ReplicaSetSpec', undefined, { default: {} }),
    status: ref('ReplicaSetStatus'),
  }),
  ReplicaSetCondition: object({
    lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    message: str(),
    reason: str(),
    status: str(),
    type: str(),
  }),
  ReplicaSetSpec: object(
    {
      minReadySeconds: int32(),
      replicas: int32(),
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec', undefined, { default: {} }),
    },
    { required: ['selector'] },
  ),
  ReplicaSetStatus: object({
    availableReplicas: int32(),
    conditions: list(ref('ReplicaSetCondition')),
    fullyLabeledReplicas: int32(),
    observedGeneration: int64(),
    readyReplicas: int32(),
    replicas: int32(),
    terminatingReplicas: int32(),
  }),
  RollingUpdateDeployment: object({
    maxSurge: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
    maxUnavailable: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
  }),
});
