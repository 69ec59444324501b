// batch/v1 defaulting (Kubernetes' pkg/apis/batch/v1/defaults.go): Jobs and CronJobs.
import type { CronJob, Job, JobSpec } from '../batch';
import { defaultPodSpec } from './core';

function defaultJobSpec(spec: JobSpec): void {
  // A Job that says neither runs one pod to one completion.
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const p of rule.onPodConditions ?? []) p.status ??= 'True';
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
}

export function defaultJob(job: Job): void {
  job.spec ??= {} as JobSpec;
  defaultJobSpec(job.spec);
  const labels = job.spec.template?.metadata?.labels;
  if (labels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...labels };
  if (job.spec.template?.spec) defaultPodSpec(job.spec.template.spec);
}

export function defaultCronJob(cj: CronJob): void {
  cj.spec.concurrencyPolicy ??= 'Allow';
  cj.spec.suspend ??= false;
  cj.spec.successfulJobsHistoryLimit ??= 3;
  cj.spec.failedJobsHistoryLimit ??= 1;
  const pod = cj.spec.jobTemplate?.spec?.template?.spec;
  if (pod) defaultPodSpec(pod);
}
