// apps/v1 defaulting: ReplicaSets and Deployments.
import type { Deployment, ReplicaSet } from '../apps';
import { defaultPodSpec } from './core';

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
