// A Job's podFailurePolicy: the first rule matching a failed pod's exit codes (or conditions) decides
// whether the failure fails the Job, is ignored, or counts toward backoffLimit (Kubernetes'
// matchPodFailurePolicy).
import type { Job, PodFailurePolicyRule } from '../../shared/api/batch';
import type { Pod } from '../../shared/api/core';

export interface PolicyMatch {
  action: PodFailurePolicyRule['action'];
  /** For FailJob: the Failed condition's message. */
  message?: string;
}

export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch | undefined {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  for (const [i, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const req = rule.onExitCodes;
      const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
      for (const s of statuses) {
        if (req.containerName && req.containerName !== s.name) continue;
        const code = s.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        const listed = req.values.includes(code);
        if (req.operator === 'In' ? listed : !listed)
          return {
            action: rule.action,
            message: `Container ${s.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${code} matching ${rule.action} rule at index ${i}`,
          };
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const c = pod.status?.conditions?.find((x) => x.type === pattern.type && x.status === (pattern.status ?? 'True'));
      if (c)
        return {
          action: rule.action,
          message: `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${pattern.type} matching ${rule.action} rule at index ${i}`,
        };
    }
  }
  return undefined;
}
