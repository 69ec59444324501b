// StatefulSet pods and claims, pure (Kubernetes' pkg/controller/statefulset/stateful_set_utils.go): a pod's
// ordinal from its name, the pod of an ordinal at a revision (name, labels, hostname and subdomain, its
// claims mounted), the claims of an ordinal, and the owner references the retention policy asks for.
import { CONTROLLER_REVISION_HASH, POD_INDEX, STATEFULSET_POD_NAME, StatefulSet } from '../../shared/api/apps';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec } from '../../shared/api/core';
import type { OwnerReference } from '../../shared/api/meta';
import { isPodAvailable, isPodReady } from '../controller';
import { controllerRef, podFromTemplate } from '../podcontrol';

/** The ordinal of a pod named `<set>-<ordinal>`, or -1 when the name is not of that form. */
export function getOrdinal(set: StatefulSet, pod: Pod): number {
  const name = pod.metadata.name ?? '';
  const prefix = `${set.metadata.name}-`;
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: StatefulSet, template: string, ordinal: number): string => `${template}-${set.metadata.name}-${ordinal}`;
export const startOrdinal = (set: StatefulSet): number => set.spec.ordinals?.start ?? 0;
export const revisionOfPod = (pod: Pod): string | undefined => pod.metadata.labels?.[CONTROLLER_REVISION_HASH];

export const isTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: Pod, minReadySeconds: number, now: number): boolean =>
  pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
/** isHealthy: running, ready and not being deleted. */
export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);

/** The claims of an ordinal (getPersistentVolumeClaims): named after template, set and ordinal, labelled with the selector. */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  return (set.spec.volumeClaimTemplates ?? []).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(set, t.metadata.name!, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...t.metadata.labels, ...set.spec.selector.matchLabels },
      ...(t.metadata.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
    },
    spec: structuredClone(t.spec),
  }));
}

/** The pod of `ordinal` made from `template` at `revision` (newVersionedStatefulSetPod), with its identity and claims. */
export function newStatefulSetPod(set: StatefulSet, template: PodTemplateSpec, revision: string, ordinal: number): Pod {
  const pod = podFromTemplate(set.metadata.namespace!, template, controllerRef(set, 'apps/v1', 'StatefulSet'), '');
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  setIdentity(set, pod, ordinal);
  pod.metadata.labels![CONTROLLER_REVISION_HASH] = revision;
  // Each claim template replaces the template's volume of the same name (updateStorage).
  const claims = (set.spec.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata.name!,
    persistentVolumeClaim: { claimName: claimName(set, t.metadata.name!, ordinal) },
  }));
  if (claims.length) {
    const names = new Set(claims.map((c) => c.name));
    pod.spec.volumes = [...(pod.spec.volumes ?? []).filter((v) => !names.has(v.name)), ...claims];
  }
  return pod;
}

/** updateIdentity: the pod-name and pod-index labels, the hostname and the subdomain of the governing Service. */
export function setIdentity(set: StatefulSet, pod: Pod, ordinal: number): void {
  pod.metadata.labels = { ...pod.metadata.labels, [STATEFULSET_POD_NAME]: pod.metadata.name!, [POD_INDEX]: String(ordinal) };
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

/** identityMatches, as far as a running pod can still change: its labels. */
export function identityMatches(set: StatefulSet, pod: Pod, ordinal: number): boolean {
  const labels = pod.metadata.labels ?? {};
  return labels[STATEFULSET_POD_NAME] === pod.metadata.name && labels[POD_INDEX] === String(ordinal);
}

/**
 * The owner references a claim should have under the retention policy (updateClaimOwnerRefForSetAndPod):
 * the set's when whenDeleted is Delete (the claim goes with the set), the pod's when whenScaled is Delete
 * and the pod's ordinal is being scaled away (the claim goes with the pod). Other owners are kept.
 */
export function claimOwnerRefs(
  set: StatefulSet,
  claim: PersistentVolumeClaim,
  pod: Pod | undefined,
  condemned: boolean,
): OwnerReference[] | undefined {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const ours = new Set([set.metadata.uid, pod?.metadata.uid]);
  const refs = (claim.metadata.ownerReferences ?? []).filter(
    (r) => !ours.has(r.uid) && !(r.kind === 'StatefulSet' && r.name === set.metadata.name),
  );
  if (policy.whenDeleted === 'Delete') refs.push({ ...controllerRef(set, 'apps/v1', 'StatefulSet'), controller: false });
  if (policy.whenScaled === 'Delete' && condemned && pod?.metadata.uid)
    refs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod.metadata.name!,
      uid: pod.metadata.uid,
      controller: false,
      blockOwnerDeletion: true,
    });
  return refs.length ? refs : undefined;
}
