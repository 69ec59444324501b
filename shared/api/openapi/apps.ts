// apps/v1: Deployments and ReplicaSets.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, int32, int64, listMap, object, ref, str } from './model';

export const apps = definitions('io.k8s.api.apps.v1', {
  Deployment: object(
    {
      apiVersion: str("The group and version of this object's schema: apps/v1."),
      kind: str('The kind of this object: Deployment.'),
      metadata: ref(
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        "The object's name, namespace, labels, annotations and the fields the system keeps.",
      ),
      spec: ref('DeploymentSpec', 'What the Deployment should run and how it replaces old pods with new ones.', { default: {} }),
      status: ref('DeploymentStatus', 'What the controller last saw of the rollout. Written by the system.'),
    },
    { description: 'Runs a set of identical pods through ReplicaSets, and rolls out changes to their template step by step.' },
  ),
  DeploymentCondition: object(
    {
      lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'When the status last changed.'),
      lastUpdateTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'When the condition was last written.'),
      message: str('Details for humans.'),
      reason: str('Why the condition is as it is, in one CamelCase word.'),
      status: str('True, False or Unknown.'),
      type: str('Available, Progressing or ReplicaFailure.'),
    },
    { description: "One aspect of a Deployment's state at a point in time." },
  ),
  DeploymentSpec: object(
    {
      minReadySeconds: int32('How long a new pod must be ready, with no container crashing, before it counts as available. 0 when unset.'),
      paused: bool('While true, changes to the template start no rollout.'),
      progressDeadlineSeconds: int32(
        'How long a rollout may make no progress before the Progressing condition turns False (ProgressDeadlineExceeded). 600 when unset.',
      ),
      replicas: int32('How many pods to run. 1 when unset.'),
      revisionHistoryLimit: int32('How many old ReplicaSets to keep for rollbacks. 10 when unset.'),
      selector: ref(
        'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
        "Which pods belong to this Deployment. Must match the template's labels, and cannot change once set.",
      ),
      strategy: ref('DeploymentStrategy', 'How running pods are replaced by pods of a new template.'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'The pods to create. Its labels must match the selector.'),
    },
    { description: 'The desired state of a Deployment.', required: ['selector', 'template'] },
  ),
  DeploymentStatus: object(
    {
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      collisionCount: int32("How many times a new ReplicaSet name collided with an existing one; part of the next name's hash."),
      conditions: listMap(ref('DeploymentCondition'), ['type'], 'Available and Progressing, with their reasons.'),
      observedGeneration: int64('The metadata.generation this status describes.'),
      readyReplicas: int32('Pods that are ready.'),
      replicas: int32('Pods owned by the Deployment, of any template.'),
      terminatingReplicas: int32('Pods being deleted.'),
      unavailableReplicas: int32('Pods still needed for the Deployment to be fully available.'),
      updatedReplicas: int32('Pods of the current template.'),
    },
    { description: "The state of a Deployment's rollout, as the controller last saw it." },
  ),
  DeploymentStrategy: object(
    {
      rollingUpdate: ref('RollingUpdateDeployment', 'Limits of a rolling update. Used only when type is RollingUpdate.'),
      type: str('Recreate stops every old pod before starting new ones; RollingUpdate (the default) replaces them a few at a time.', {
        enum: ['Recreate', 'RollingUpdate'],
      }),
    },
    { description: 'How a Deployment replaces its pods when the template changes.' },
  ),
  ReplicaSet: object(
    {
      apiVersion: str("The group and version of this object's schema: apps/v1."),
      kind: str('The kind of this object: ReplicaSet.'),
      metadata: ref(
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        "The object's name, namespace, labels, annotations and the fields the system keeps.",
      ),
      spec: ref('ReplicaSetSpec', 'How many pods to run, and what they look like.', { default: {} }),
      status: ref('ReplicaSetStatus', 'What the controller last saw. Written by the system.'),
    },
    { description: 'Keeps a given number of identical pods running.' },
  ),
  ReplicaSetCondition: object({
    lastTransitionTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    message: str(),
    reason: str(),
    status: str(),
    type: str(),
  }),
  ReplicaSetSpec: object(
    {
      minReadySeconds: int32('How long a new pod must be ready before it counts as available. 0 when unset.'),
      replicas: int32('How many pods to run. 1 when unset.'),
      selector: ref(
        'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
        "Which pods the ReplicaSet counts as its own. Must match the template's labels.",
      ),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'The pods to create when there are too few.', { default: {} }),
    },
    { description: 'The desired state of a ReplicaSet.', required: ['selector'] },
  ),
  ReplicaSetStatus: object(
    {
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      conditions: listMap(ref('ReplicaSetCondition'), ['type'], 'ReplicaFailure when pods could not be created or deleted.'),
      fullyLabeledReplicas: int32("Pods whose labels match the template's."),
      observedGeneration: int64('The metadata.generation this status describes.'),
      readyReplicas: int32('Pods that are ready.'),
      replicas: int32('Pods the ReplicaSet owns.'),
      terminatingReplicas: int32('Pods being deleted.'),
    },
    { description: 'The pods of a ReplicaSet, as the controller last counted them.' },
  ),
  RollingUpdateDeployment: object(
    {
      maxSurge: ref(
        'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
        'How many pods may run above the desired count during the update: a number, or a percentage of the desired count rounded up. 25% when unset; cannot be 0 if maxUnavailable is 0.',
      ),
      maxUnavailable: ref(
        'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
        'How many pods may be unavailable during the update: a number, or a percentage of the desired count rounded down. 25% when unset; cannot be 0 if maxSurge is 0.',
      ),
    },
    { description: 'How far a rolling update may go above and below the desired number of pods.' },
  ),
});
