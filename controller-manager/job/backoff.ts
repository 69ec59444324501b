// The Job's pod failure back-off: after n failures since the last success, a replacement pod waits
// 10s * 2^(n-1), at most 6 minutes, counted from the last failure (Kubernetes' backoffRecord).
import type { Pod } from '../../shared/api/core';

export const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_JOB_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

/** When a pod finished: its containers' latest finishedAt, else its Ready condition's last change. */
export function finishTime(pod: Pod): number | undefined {
  const times = [...(pod.status?.containerStatuses ?? [])]
    .map((c) => c.state?.terminated?.finishedAt)
    .filter((t): t is string => !!t)
    .map(Date.parse);
  if (times.length) return Math.max(...times);
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  return ready ? Date.parse(ready) : undefined;
}

/** How long to wait from `now` before creating replacements, given the Job's finished pods (0: go). */
export function remainingBackoff(succeeded: Pod[], failed: Pod[], now: number): number {
  const lastSuccess = Math.max(0, ...succeeded.map((p) => finishTime(p) ?? 0));
  const failures = failed.map((p) => finishTime(p) ?? now).filter((t) => t > lastSuccess);
  if (!failures.length) return 0;
  const delay = Math.min(DEFAULT_JOB_POD_FAILURE_BACKOFF_MS * 2 ** (failures.length - 1), MAX_JOB_POD_FAILURE_BACKOFF_MS);
  return Math.max(0, Math.max(...failures) + delay - now);
}
