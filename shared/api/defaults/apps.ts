// apps/v1 defaulting: ReplicaSets, Deployments, DaemonSets and StatefulSets (Kubernetes' apps/v1 defaults.go).
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../apps';
import { defaultPersistentVolumeClaim, defaultPodSpec } from './core';

function defaultWorkload(obj: ReplicaSet | Deployment): void {
  obj.spec.replicas ??= 1;
  if (obj.spec.template?.spec) defaultPodSpec(obj.spec.template.spec);
  // An unset selector defaults to the template's labels (as apps/v1beta1 did; apps/v1 then requires it).
}

export function defaultDeployment(d: Deployment): void {
  defaultWorkload(d);
  const s = (d.spec.strategy ??= {});
  s.type ??= 'RollingUpdate';
  if (s.type === 'RollingUpdate') {
    s.rollingUpdate ??= {};
    s.rollingUpdate.maxSurge ??= '25%';
    s.rollingUpdate.maxUnavailable ??= '25%';
  }
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.progressDeadlineSeconds ??= 600;
}

export const defaultReplicaSet = (rs: ReplicaSet): void => defaultWorkload(rs);

export function defaultDaemonSet(ds: DaemonSet): void {
  if (ds.spec.template?.spec) defaultPodSpec(ds.spec.template.spec);
  const s = (ds.spec.updateStrategy ??= {});
  s.type ??= 'RollingUpdate';
  if (s.type === 'RollingUpdate') {
    s.rollingUpdate ??= {};
    s.rollingUpdate.maxUnavailable ??= 1;
    s.rollingUpdate.maxSurge ??= 0;
  }
  ds.spec.revisionHistoryLimit ??= 10;
}

export function defaultStatefulSet(sts: StatefulSet): void {
  sts.spec.replicas ??= 1;
  if (sts.spec.template?.spec) defaultPodSpec(sts.spec.template.spec);
  sts.spec.podManagementPolicy ??= 'OrderedReady';
  const s = (sts.spec.updateStrategy ??= {});
  s.type ??= 'RollingUpdate';
  if (s.type === 'RollingUpdate') {
    s.rollingUpdate ??= {};
    s.rollingUpdate.partition ??= 0;
  }
  sts.spec.revisionHistoryLimit ??= 10;
  const retention = (sts.spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  for (const t of sts.spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(t);
}
