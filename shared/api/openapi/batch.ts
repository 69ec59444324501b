// batch/v1: Jobs and CronJobs.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, int32, int64, list, object, ref, str } from './model';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const batch = definitions('io.k8s.api.batch.v1', {
  CronJob: object(
    {
      apiVersion: str("The group and version of this object's schema: batch/v1."),
      kind: str('The kind of this object: CronJob.'),
      metadata: ref(`${META}.ObjectMeta`, "The object's name, namespace, labels, annotations and the fields the system keeps."),
      spec: ref('CronJobSpec', 'When to run a Job, and what the Job looks like.'),
      status: ref('CronJobStatus', 'The Jobs running now and the last schedule. Written by the system.'),
    },
    { description: 'Creates Jobs on a repeating schedule, written in cron syntax.' },
  ),
  CronJobSpec: object(
    {
      concurrencyPolicy: str('What to do when a run is due while the last one still runs: Allow (the default), Forbid or Replace.', {
        enum: ['Allow', 'Forbid', 'Replace'],
      }),
      failedJobsHistoryLimit: int32('How many failed Jobs to keep. 1 when unset.'),
      jobTemplate: ref('JobTemplateSpec', 'The Job to create at each run.'),
      schedule: str('When to run, in cron syntax: five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, ...'),
      startingDeadlineSeconds: int64('How late a run may start; a run missed by more is skipped and counted as missed.'),
      successfulJobsHistoryLimit: int32('How many successful Jobs to keep. 3 when unset.'),
      suspend: bool('While true, no new runs start (the ones running go on).'),
      timeZone: str("The IANA time zone the schedule is read in (Europe/Paris). The controller-manager's (UTC here) when unset."),
    },
    { description: 'The desired state of a CronJob.', required: ['schedule', 'jobTemplate'] },
  ),
  CronJobStatus: object(
    {
      active: list(ref('io.k8s.api.core.v1.ObjectReference'), 'The Jobs of this CronJob that are running.'),
      lastScheduleTime: ref(`${META}.Time`, 'When a Job was last scheduled to start.'),
      lastSuccessfulTime: ref(`${META}.Time`, 'When a Job last completed successfully.'),
    },
    { description: 'What the cronjob controller last saw of a CronJob.' },
  ),
  Job: object(
    {
      apiVersion: str("The group and version of this object's schema: batch/v1."),
      kind: str('The kind of this object: Job.'),
      metadata: ref(`${META}.ObjectMeta`, "The object's name, namespace, labels, annotations and the fields the system keeps."),
      spec: ref('JobSpec', 'The pods to run to completion, and how many.'),
      status: ref('JobStatus', 'How far the Job got. Written by the system.'),
    },
    { description: 'Runs pods until a number of them have completed successfully.' },
  ),
  JobCondition: object(
    {
      lastProbeTime: ref(`${META}.Time`, 'When the condition was last checked.'),
      lastTransitionTime: ref(`${META}.Time`, 'When the status last changed.'),
      message: str('Details for humans.'),
      reason: str('Why the condition is as it is, in one CamelCase word.'),
      status: str('True, False or Unknown.'),
      type: str('Complete, Failed, Suspended, FailureTarget or SuccessCriteriaMet.'),
    },
    { required: ['type', 'status'] },
  ),
  JobSpec: object(
    {
      activeDeadlineSeconds: int64('How long the Job may run, from its start; then its pods are stopped and it fails (DeadlineExceeded).'),
      backoffLimit: int32('How many pod failures to retry before the Job fails (BackoffLimitExceeded). 6 when unset.'),
      backoffLimitPerIndex: int32('For Indexed Jobs: the retries of each index.'),
      completionMode: str('NonIndexed (the default): any completions count; Indexed: each index 0..completions-1 must complete once.', {
        enum: ['Indexed', 'NonIndexed'],
      }),
      completions: int32('How many pods must succeed. 1 when neither this nor parallelism is set.'),
      managedBy: str('The controller that manages the Job, when not the built-in one.'),
      manualSelector: bool("True to write the selector yourself; otherwise the apiserver generates one from the Job's uid."),
      maxFailedIndexes: int32('For Indexed Jobs with backoffLimitPerIndex: how many indexes may fail.'),
      parallelism: int32('How many pods may run at once. 1 when unset.'),
      podFailurePolicy: ref('PodFailurePolicy', 'How failed pods count, by their exit codes or conditions.'),
      podReplacementPolicy: str('When a replacement pod starts: TerminatingOrFailed or Failed.', {
        enum: ['Failed', 'TerminatingOrFailed'],
      }),
      selector: ref(`${META}.LabelSelector`, 'Which pods belong to the Job. Generated unless manualSelector is true.'),
      successPolicy: ref('SuccessPolicy', 'When an Indexed Job succeeds before all its indexes have.'),
      suspend: bool('While true, the Job creates no pods, and its running pods are stopped.'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec', 'The pods to run; restartPolicy must be OnFailure or Never.'),
      ttlSecondsAfterFinished: int32('Seconds after the Job finishes before the ttl-after-finished controller deletes it.'),
    },
    { description: 'The desired state of a Job.', required: ['template'] },
  ),
  JobStatus: object(
    {
      active: int32('Pods running (not terminating).'),
      completedIndexes: str('Indexes that completed, as ranges: 1,3-5,7.'),
      completionTime: ref(`${META}.Time`, 'When the Job completed.'),
      conditions: list(ref('JobCondition'), 'Complete, Failed, Suspended, FailureTarget and SuccessCriteriaMet.'),
      failed: int32('Pods that failed.'),
      failedIndexes: str('Indexes that failed, as ranges.'),
      ready: int32('Active pods that are ready.'),
      startTime: ref(`${META}.Time`, 'When the controller started the Job.'),
      succeeded: int32('Pods that succeeded.'),
      terminating: int32('Pods being deleted.'),
      uncountedTerminatedPods: ref('UncountedTerminatedPods', 'Finished pods counted here until their tracking finalizer is gone.'),
    },
    { description: 'How far a Job got, as the job controller last counted.' },
  ),
  JobTemplateSpec: object(
    {
      metadata: ref(`${META}.ObjectMeta`, 'The labels and annotations of the Jobs created from it.'),
      spec: ref('JobSpec', 'The Jobs to create.'),
    },
    { description: 'The Job a CronJob creates.' },
  ),
  PodFailurePolicy: object(
    { rules: list(ref('PodFailurePolicyRule'), 'Checked in order; the first match decides.') },
    { required: ['rules'] },
  ),
  PodFailurePolicyOnExitCodesRequirement: object(
    {
      containerName: str("Only this container's exit code; any container when unset."),
      operator: str('In or NotIn.', { enum: ['In', 'NotIn'] }),
      values: list(int32(), 'The exit codes, ordered.'),
    },
    { required: ['operator', 'values'] },
  ),
  PodFailurePolicyOnPodConditionsPattern: object({ status: str(), type: str() }, { required: ['type'] }),
  PodFailurePolicyRule: object(
    {
      action: str('FailJob, FailIndex, Ignore or Count.', { enum: ['Count', 'FailIndex', 'FailJob', 'Ignore'] }),
      onExitCodes: ref('PodFailurePolicyOnExitCodesRequirement'),
      onPodConditions: list(ref('PodFailurePolicyOnPodConditionsPattern')),
    },
    { required: ['action'] },
  ),
  SuccessPolicy: object({ rules: list(ref('SuccessPolicyRule')) }, { required: ['rules'] }),
  SuccessPolicyRule: object({ succeededCount: int32(), succeededIndexes: str() }),
  UncountedTerminatedPods: object({ failed: list(str()), succeeded: list(str()) }),
});
