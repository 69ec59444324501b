// batch/v1 validation (Kubernetes' pkg/apis/batch/validation): Jobs and CronJobs.
import { CONTROLLER_UID_LABEL, CronJob, Job, JobSpec } from '../batch';
import type { StatusCause } from '../meta';
import { isValidTimeZone, parseCronSchedule } from '../../cron';
import { semanticallyEqual } from '../../equality';
import { fieldError } from '../../errors';
import { selectorFromLabelSelector } from '../../labels';
import { append, goMap, labelSelectorErrors, nonNegativeErrors, objectMetaErrors } from './meta';
import { podTemplateErrors } from './pods';

/** Indexed Jobs may have at most this many completions and this much parallelism. */
const MAX_INDEXED_COMPLETIONS = 100_000;
/** A CronJob's name leaves room for the 11 characters of its Jobs' suffix. */
const MAX_CRONJOB_NAME = 52;

/** ValidateJobSpec: counts, the completion mode, the pod failure policy and the template (no `Always`). */
function jobSpecErrors(path: string, spec: JobSpec): StatusCause[] {
  const errors: StatusCause[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const)
    append(errors, nonNegativeErrors(`${path}.${f}`, spec[f]));
  const mode = spec.completionMode;
  if (mode && mode !== 'NonIndexed' && mode !== 'Indexed')
    errors.push(fieldError.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (spec.completions === undefined) errors.push(fieldError.required(`${path}.completions`, 'when completion mode is Indexed'));
    else if (spec.completions > MAX_INDEXED_COMPLETIONS)
      errors.push(
        fieldError.invalid(
          `${path}.completions`,
          spec.completions,
          `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`,
        ),
      );
    if ((spec.parallelism ?? 0) > MAX_INDEXED_COMPLETIONS)
      errors.push(
        fieldError.invalid(
          `${path}.parallelism`,
          spec.parallelism,
          `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`,
        ),
      );
  }
  if (spec.selector) append(errors, labelSelectorErrors(`${path}.selector`, spec.selector));
  append(errors, podTemplateErrors(`${path}.template`, spec.template, ['OnFailure', 'Never']));
  const labels = spec.template?.metadata?.labels;
  if (
    spec.selector &&
    !labelSelectorErrors(`${path}.selector`, spec.selector).length &&
    !selectorFromLabelSelector(spec.selector).matches(labels)
  )
    errors.push(fieldError.invalid(`${path}.template.metadata.labels`, goMap(labels), '`selector` does not match template `labels`'));
  const policy = spec.podFailurePolicy;
  if (policy) {
    if (spec.template?.spec?.restartPolicy !== 'Never')
      errors.push(
        fieldError.invalid(
          `${path}.template.spec.restartPolicy`,
          spec.template?.spec?.restartPolicy,
          'only "Never" is supported when podFailurePolicy is specified',
        ),
      );
    (policy.rules ?? []).forEach((rule, i) => {
      const at = `${path}.podFailurePolicy.rules[${i}]`;
      const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
      if (!actions.includes(rule.action)) errors.push(fieldError.notSupported(`${at}.action`, rule.action, actions));
      if (!rule.onExitCodes === !rule.onPodConditions?.length)
        errors.push(fieldError.invalid(at, '', 'specifying one of OnExitCodes and OnPodConditions is required'));
      const codes = rule.onExitCodes;
      if (codes) {
        if (codes.operator !== 'In' && codes.operator !== 'NotIn')
          errors.push(fieldError.notSupported(`${at}.onExitCodes.operator`, codes.operator, ['In', 'NotIn']));
        if (!codes.values?.length) errors.push(fieldError.required(`${at}.onExitCodes.values`, 'at least one value is required'));
        (codes.values ?? []).forEach((v, j) => {
          if (codes.operator === 'In' && v === 0)
            errors.push(fieldError.invalid(`${at}.onExitCodes.values[${j}]`, v, 'must not be 0 for the In operator'));
          if (j > 0 && v <= codes.values[j - 1]) errors.push(fieldError.invalid(`${at}.onExitCodes.values[${j}]`, v, 'must be ordered'));
        });
      }
    });
  }
  return errors;
}

/** ValidateJob (and ValidateJobUpdate with `old`): the generated selector, and what may not change. */
export function validateJob(job: Job, old?: Job): StatusCause[] {
  const errors = objectMetaErrors(job.metadata);
  const spec = job.spec;
  if (!spec.manualSelector) {
    // The selector the apiserver generated (registry/batch/jobs.ts): exactly this Job's uid.
    const uid = job.metadata.uid;
    if (uid && !semanticallyEqual(spec.selector, { matchLabels: { [CONTROLLER_UID_LABEL]: uid } }))
      errors.push(fieldError.invalid('spec.selector', JSON.stringify(spec.selector), '`selector` not auto-generated'));
  } else if (!spec.selector) errors.push(fieldError.required('spec.selector'));
  append(errors, jobSpecErrors('spec', spec));
  if (old) {
    const immutable = (field: string, a: unknown, b: unknown) => {
      if (!semanticallyEqual(a, b)) errors.push(fieldError.invalid(field, JSON.stringify(a), 'field is immutable'));
    };
    immutable('spec.selector', spec.selector, old.spec.selector);
    immutable('spec.completions', spec.completions, old.spec.completions);
    immutable('spec.completionMode', spec.completionMode, old.spec.completionMode);
    // A suspended Job that never started may change its pods' scheduling; otherwise the template stays.
    if (!(old.spec.suspend && !old.status?.startTime)) immutable('spec.template', spec.template, old.spec.template);
  }
  return errors;
}

/** ValidateCronJob: a schedule robfig/cron reads, a known time zone, and a valid Job template. */
export function validateCronJob(cj: CronJob): StatusCause[] {
  const errors = objectMetaErrors(cj.metadata);
  const name = cj.metadata.name ?? '';
  if (name.length > MAX_CRONJOB_NAME)
    errors.push(fieldError.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  const spec = cj.spec;
  if (!spec.schedule) errors.push(fieldError.required('spec.schedule'));
  else if (/^\s*(CRON_)?TZ=/.test(spec.schedule) || /\s(CRON_)?TZ=/.test(spec.schedule))
    errors.push(fieldError.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  else {
    try {
      parseCronSchedule(spec.schedule);
    } catch (err) {
      errors.push(fieldError.invalid('spec.schedule', spec.schedule, (err as Error).message));
    }
  }
  if (spec.timeZone !== undefined && !isValidTimeZone(spec.timeZone))
    errors.push(fieldError.invalid('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`));
  const policies = ['Allow', 'Forbid', 'Replace'];
  if (spec.concurrencyPolicy && !policies.includes(spec.concurrencyPolicy))
    errors.push(fieldError.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, policies));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const)
    append(errors, nonNegativeErrors(`spec.${f}`, spec[f]));
  if (!spec.jobTemplate?.spec) errors.push(fieldError.required('spec.jobTemplate'));
  else append(errors, jobSpecErrors('spec.jobTemplate.spec', spec.jobTemplate.spec));
  return errors;
}
