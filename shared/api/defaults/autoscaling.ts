// autoscaling/v2 defaulting: HorizontalPodAutoscalers scale on 80% CPU unless told otherwise.
import type { HorizontalPodAutoscaler } from '../autoscaling';

export function defaultHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): void {
  hpa.spec.minReplicas ??= 1;
  if (!hpa.spec.metrics?.length) {
    hpa.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
}
