// Deployment, ReplicaSet and HorizontalPodAutoscaler columns.
import type { Deployment, ReplicaSet } from '../../shared/api/apps';
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling';
import type { PodTemplateSpec } from '../../shared/api/core';
import { formatLabelSelector } from '../../shared/labels';
import { age } from './age';
import { col, Printer } from './table';

const containers = (t: PodTemplateSpec | undefined) => (t?.spec?.containers ?? []).map((c) => c.name).join(',');
const images = (t: PodTemplateSpec | undefined) => (t?.spec?.containers ?? []).map((c) => c.image).join(',');

export const deploymentPrinter: Printer<Deployment> = {
  columns: [col('Ready'), col('Up-to-date'), col('Available'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
  cells(d, now) {
    const s = d.status ?? {};
    return [
      `${s.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      age(d.metadata.creationTimestamp, now),
      containers(d.spec.template),
      images(d.spec.template),
      formatLabelSelector(d.spec.selector),
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [col('Desired'), col('Current'), col('Ready'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
  cells(rs, now) {
    const s = rs.status;
    return [
      rs.spec.replicas ?? 1,
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      age(rs.metadata.creationTimestamp, now),
      containers(rs.spec.template),
      images(rs.spec.template),
      formatLabelSelector(rs.spec.selector),
    ];
  },
};

function targets(hpa: HorizontalPodAutoscaler): string {
  const list = (hpa.spec.metrics ?? []).map((m) => {
    if (m.type !== 'Resource' || !m.resource) return '<unknown>';
    const current = hpa.status?.currentMetrics?.find((c) => c.type === 'Resource' && c.resource?.name === m.resource!.name)?.resource
      ?.current;
    const t = m.resource.target;
    if (t.type === 'Utilization')
      return `${m.resource.name}: ${current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>'}/${t.averageUtilization}%`;
    return `${m.resource.name}: ${current?.averageValue ?? '<unknown>'}/${t.averageValue ?? t.value}`;
  });
  return list.length ? list.join(', ') : '<none>';
}

export const hpaPrinter: Printer<HorizontalPodAutoscaler> = {
  columns: [col('Reference'), col('Targets'), col('MinPods'), col('MaxPods'), col('Replicas'), col('Age')],
  cells: (hpa, now) => [
    `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`,
    targets(hpa),
    hpa.spec.minReplicas ?? 1,
    hpa.spec.maxReplicas,
    hpa.status?.currentReplicas ?? 0,
    age(hpa.metadata.creationTimestamp, now),
  ],
};
