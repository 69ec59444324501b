// HorizontalPodAutoscalers (autoscaling/v2; autoscaling/v1 is converted in http/autoscalingv1.ts). Their
// status is the controller's. Printed as NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
import type { HorizontalPodAutoscaler } from '../../../shared/api/autoscaling';
import { defaultHorizontalPodAutoscaler } from '../../../shared/api/defaults/autoscaling';
import { HorizontalPodAutoscalers } from '../../../shared/api/resources';
import { validateHorizontalPodAutoscaler } from '../../../shared/api/validation/autoscaling';
import { age } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

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

const hpaPrinter: Printer<HorizontalPodAutoscaler> = {
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

export const horizontalPodAutoscalerStrategy: Strategy<HorizontalPodAutoscaler> = {
  resource: HorizontalPodAutoscalers,
  defaults: defaultHorizontalPodAutoscaler,
  validate: validateHorizontalPodAutoscaler,
  printer: hpaPrinter,
  prepareForCreate(hpa) {
    hpa.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
};
