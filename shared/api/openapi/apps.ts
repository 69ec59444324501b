// apps/v1: Deployments, ReplicaSets, DaemonSets, StatefulSets and ControllerRevisions.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, int32, int64, list, listMap, object, ref, str } from './model';

const META = (kind: string) => ({
  apiVersion: str("The group and version of this object's schema: apps/v1."),
  kind: str(`The kind of this object: ${kind}.`),
  metadata: ref(
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    "The object's name, namespace, labels, annotations and the fields the system keeps.",
  ),
});
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const SELECTOR = 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const condition = (of: string) =>
  object(
    {
      lastTransitionTime: ref(TIME, 'When the status last changed.'),
      message: str('Details for humans.'),
      reason: str('Why the condition is as it is, in one CamelCase word.'),
      status: str('True, False or Unknown.'),
      type: str('The aspect of the object this condition describes.'),
    },
    { description: `One aspect of a ${of}'s state at a point in time.`, required: ['type', 'status'] },
  );

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
  ControllerRevision: object(
    {
      ...META('ControllerRevision'),
      data: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'The state this revision holds: a patch restoring the pod template.'),
      revision: int64('The number of this revision; the highest is the current one.'),
    },
    {
      description: "An immutable snapshot of a DaemonSet's or StatefulSet's pod template, kept for rollout history and rollbacks.",
      required: ['revision'],
    },
  ),
  DaemonSet: object(
    {
      ...META('DaemonSet'),
      spec: ref('DaemonSetSpec', 'Which nodes run a pod, what it looks like, and how a change rolls out.', { default: {} }),
      status: ref('DaemonSetStatus', 'What the controller last saw. Written by the system.'),
    },
    { description: 'Runs one copy of a pod on every eligible node.' },
  ),
  DaemonSetCondition: condition('DaemonSet'),
  DaemonSetSpec: object(
    {
      minReadySeconds: int32('How long a new pod must be ready, with no container crashing, before it counts as available. 0 when unset.'),
      revisionHistoryLimit: int32('How many old ControllerRevisions to keep for rollbacks. 10 when unset.'),
      selector: ref(SELECTOR, "Which pods belong to this DaemonSet. Must match the template's labels, and cannot change once set."),
      template: ref(
        'io.k8s.api.core.v1.PodTemplateSpec',
        'The pod to run on each node. Its nodeSelector and node affinity narrow the nodes; its restartPolicy must be Always.',
        { default: {} },
      ),
      updateStrategy: ref('DaemonSetUpdateStrategy', 'How pods of an old template are replaced by new ones.', { default: {} }),
    },
    { description: 'The desired state of a DaemonSet.', required: ['selector', 'template'] },
  ),
  DaemonSetStatus: object(
    {
      collisionCount: int32("How many times a new ControllerRevision name collided with an existing one; part of the next name's hash."),
      conditions: list(ref('DaemonSetCondition'), "The latest observations of the DaemonSet's state."),
      currentNumberScheduled: int32('Nodes running at least one daemon pod that should run it.'),
      desiredNumberScheduled: int32('Nodes that should run the daemon pod.'),
      numberAvailable: int32('Nodes whose daemon pod has been ready for at least minReadySeconds.'),
      numberMisscheduled: int32('Nodes running the daemon pod that should not run it.'),
      numberReady: int32('Nodes whose daemon pod is ready.'),
      numberUnavailable: int32('Nodes that should run the daemon pod and have none available.'),
      observedGeneration: int64('The metadata.generation this status describes.'),
      updatedNumberScheduled: int32('Nodes running a daemon pod of the current template.'),
    },
    {
      description: 'The pods of a DaemonSet, node by node, as the controller last counted them.',
      required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    },
  ),
  DaemonSetUpdateStrategy: object(
    {
      rollingUpdate: ref('RollingUpdateDaemonSet', 'Limits of a rolling update. Used only when type is RollingUpdate.'),
      type: str('OnDelete replaces a pod only when it is deleted; RollingUpdate (the default) replaces them a few nodes at a time.', {
        enum: ['OnDelete', 'RollingUpdate'],
      }),
    },
    { description: 'How a DaemonSet replaces its pods when the template changes.' },
  ),
  RollingUpdateDaemonSet: object(
    {
      maxSurge: ref(
        INT_OR_STRING,
        'How many nodes may run a new pod beside the old one during the update: a number, or a percentage of the desired nodes rounded up. 0 when unset; cannot be set with maxUnavailable non-zero.',
      ),
      maxUnavailable: ref(
        INT_OR_STRING,
        'How many nodes may be without an available daemon pod during the update: a number, or a percentage of the desired nodes rounded up. 1 when unset.',
      ),
    },
    { description: 'How far a DaemonSet rolling update may go.' },
  ),
  RollingUpdateStatefulSetStrategy: object(
    {
      maxUnavailable: ref(INT_OR_STRING, 'How many pods may be unavailable during the update (alpha in Kubernetes; not used here).'),
      partition: int32('Pods with an ordinal below this keep the old template during a rolling update. 0 when unset.'),
    },
    { description: 'How far a StatefulSet rolling update goes.' },
  ),
  StatefulSet: object(
    {
      ...META('StatefulSet'),
      spec: ref('StatefulSetSpec', 'How many pods, what they look like, their claims and how a change rolls out.', { default: {} }),
      status: ref('StatefulSetStatus', 'What the controller last saw. Written by the system.'),
    },
    { description: 'Runs pods with a stable identity: names <name>-0 to <name>-N-1, each with its own claims, in order.' },
  ),
  StatefulSetCondition: condition('StatefulSet'),
  StatefulSetOrdinals: object(
    { start: int32('The ordinal of the first pod. 0 when unset.') },
    { description: 'Where the ordinals of a StatefulSet start.' },
  ),
  StatefulSetPersistentVolumeClaimRetentionPolicy: object(
    {
      whenDeleted: str('What happens to the claims when the StatefulSet is deleted: Retain (the default) or Delete.'),
      whenScaled: str('What happens to the claims of pods removed by a scale down: Retain (the default) or Delete.'),
    },
    { description: 'Whether the claims made from volumeClaimTemplates outlive their pods.' },
  ),
  StatefulSetSpec: object(
    {
      minReadySeconds: int32('How long a new pod must be ready before it counts as available. 0 when unset.'),
      ordinals: ref('StatefulSetOrdinals', 'Where the ordinals start.'),
      persistentVolumeClaimRetentionPolicy: ref(
        'StatefulSetPersistentVolumeClaimRetentionPolicy',
        'Whether the claims made from volumeClaimTemplates are deleted with the set or on scale down.',
      ),
      podManagementPolicy: str(
        'OrderedReady (the default) creates pods one at a time in ordinal order, each after the previous is ready, and removes them in reverse; Parallel creates and removes them all at once.',
        { enum: ['OrderedReady', 'Parallel'] },
      ),
      replicas: int32('How many pods to run. 1 when unset.'),
      revisionHistoryLimit: int32('How many old ControllerRevisions to keep for rollbacks. 10 when unset.'),
      selector: ref(SELECTOR, "Which pods belong to this StatefulSet. Must match the template's labels."),
      serviceName: str(
        'The headless Service that gives each pod its DNS name <pod>.<serviceName>.<namespace>.svc.cluster.local; it must exist for the names to resolve.',
      ),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'The pods to create. Its labels must match the selector.', { default: {} }),
      updateStrategy: ref('StatefulSetUpdateStrategy', 'How pods of an old template are replaced by new ones.', { default: {} }),
      volumeClaimTemplates: list(
        ref('io.k8s.api.core.v1.PersistentVolumeClaim'),
        'Claims each pod gets, named <template>-<statefulset>-<ordinal>, mounted where the template mounts a volume of that name.',
      ),
    },
    { description: 'The desired state of a StatefulSet.', required: ['selector', 'template'] },
  ),
  StatefulSetStatus: object(
    {
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      collisionCount: int32("How many times a new ControllerRevision name collided with an existing one; part of the next name's hash."),
      conditions: list(ref('StatefulSetCondition'), "The latest observations of the StatefulSet's state."),
      currentReplicas: int32('Pods of currentRevision.'),
      currentRevision: str('The ControllerRevision of the pods that were there before the update in progress.'),
      observedGeneration: int64('The metadata.generation this status describes.'),
      readyReplicas: int32('Pods that are ready.'),
      replicas: int32('Pods the StatefulSet has created.'),
      updateRevision: str('The ControllerRevision of the current template.'),
      updatedReplicas: int32('Pods of updateRevision.'),
    },
    { description: 'The pods of a StatefulSet, as the controller last counted them.', required: ['replicas'] },
  ),
  StatefulSetUpdateStrategy: object(
    {
      rollingUpdate: ref('RollingUpdateStatefulSetStrategy', 'Limits of a rolling update. Used only when type is RollingUpdate.'),
      type: str(
        'OnDelete replaces a pod only when it is deleted; RollingUpdate (the default) replaces them from the highest ordinal down.',
        {
          enum: ['OnDelete', 'RollingUpdate'],
        },
      ),
    },
    { description: 'How a StatefulSet replaces its pods when the template changes.' },
  ),
});
