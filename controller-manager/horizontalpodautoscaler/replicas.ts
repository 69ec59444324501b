// The HorizontalPodAutoscaler's arithmetic, as Kubernetes does it: utilization against requests, a 10%
// tolerance, the stabilization window for scaling down, and the scale-up rate limit.
import type { Pod } from '../../shared/api/core';
import { milliValue } from '../../shared/quantity';

export const TOLERANCE = 0.1;

export interface PodUsage {
  /** CPU usage of the pod in millicores. */
  milliCPU: number;
}

/**
 * Average CPU utilization (percent of requests) over the pods that have metrics, or an error message
 * worded like Kubernetes' when a pod has no CPU request.
 */
export function cpuUtilization(
  pods: Pod[],
  usage: Map<string, PodUsage>,
): { utilization: number; averageMilli: number; counted: number } | { error: string } {
  let used = 0;
  let requested = 0;
  let counted = 0;
  for (const pod of pods) {
    const u = usage.get(pod.metadata.name!);
    if (!u) continue;
    let req = 0;
    for (const c of pod.spec.containers) {
      const r = c.resources?.requests?.cpu ?? c.resources?.limits?.cpu;
      if (!r) return { error: `failed to get cpu utilization: missing request for cpu in container ${c.name} of Pod ${pod.metadata.name}` };
      req += milliValue(r);
    }
    used += u.milliCPU;
    requested += req;
    counted++;
  }
  if (!counted)
    return {
      error: 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    };
  return { utilization: Math.round((used / requested) * 100), averageMilli: Math.round(used / counted), counted };
}

/** The replica count the metric asks for: current unless outside the tolerance. */
export function replicasForUtilization(current: number, utilization: number, target: number): number {
  const ratio = utilization / target;
  if (Math.abs(ratio - 1) <= TOLERANCE) return current;
  return Math.ceil(ratio * current);
}

/** Scale-up limit of the default behavior: double, or four more pods, whichever is more. */
export const scaleUpLimit = (current: number) => Math.max(2 * current, current + 4);

/** Scaling down takes the highest recommendation of the stabilization window, so a dip does not flap. */
export function stabilize(recommendations: { at: number; replicas: number }[], now: number, windowMs: number): number {
  return Math.max(...recommendations.filter((r) => now - r.at <= windowMs).map((r) => r.replicas));
}
