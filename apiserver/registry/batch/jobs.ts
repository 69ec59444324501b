// Jobs: run to completion by the job controller. Unless manualSelector is set, the apiserver gives each
// Job a selector of its own uid and puts the matching labels on its pod template (upstream's
// generateSelector). Printed as NAME STATUS COMPLETIONS DURATION AGE | CONTAINERS IMAGES SELECTOR (1.31).
import {
  CONTROLLER_UID_LABEL,
  Job,
  jobCondition,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from '../../../shared/api/batch';
import { defaultJob } from '../../../shared/api/defaults/batch';
import { Jobs } from '../../../shared/api/resources';
import { validateJob } from '../../../shared/api/validation/batch';
import { formatLabelSelector } from '../../../shared/labels';
import { age, humanDuration } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

/** The STATUS column of kubectl 1.31: the first that holds of these. */
function jobStatus(job: Job): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (jobCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

const jobPrinter: Printer<Job> = {
  columns: [col('Status'), col('Completions'), col('Duration'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
  cells: (job, now) => [
    jobStatus(job),
    completions(job),
    duration(job, now),
    age(job.metadata.creationTimestamp, now),
    containers(job.spec.template),
    images(job.spec.template),
    formatLabelSelector(job.spec.selector),
  ],
};

/** generateSelector: the template carries the Job's name and uid, and the selector selects the uid. */
export function generateSelector(job: Job): void {
  const template = (job.spec.template ??= { spec: { containers: [] } });
  const labels = ((template.metadata ??= {}).labels ??= {});
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  const selector = (job.spec.selector ??= {});
  (selector.matchLabels ??= {})[CONTROLLER_UID_LABEL] ??= uid;
}

export const jobStrategy: Strategy<Job> = {
  resource: Jobs,
  defaults: defaultJob,
  validate: validateJob,
  printer: jobPrinter,
  generationChanged: specChanged,
  prepareForCreate(job) {
    clearStatus(job);
    if (!job.spec.manualSelector) generateSelector(job);
    // Upstream's defaulting, which runs again on every read, gives a Job without labels its template's.
    if (!Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...job.spec.template.metadata?.labels };
  },
};
