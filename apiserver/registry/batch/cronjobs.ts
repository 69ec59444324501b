// CronJobs: Jobs created on a schedule by the cronjob controller. Printed as NAME SCHEDULE TIMEZONE SUSPEND
// ACTIVE LAST SCHEDULE AGE | CONTAINERS IMAGES SELECTOR.
import type { CronJob } from '../../../shared/api/batch';
import { defaultCronJob } from '../../../shared/api/defaults/batch';
import { CronJobs } from '../../../shared/api/resources';
import { validateCronJob } from '../../../shared/api/validation/batch';
import { formatLabelSelector } from '../../../shared/labels';
import { age } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

const cronJobPrinter: Printer<CronJob> = {
  columns: [
    col('Schedule'),
    col('Timezone'),
    col('Suspend', 0, 'boolean'),
    col('Active', 0, 'integer'),
    col('Last Schedule'),
    col('Age'),
    col('Containers', 1),
    col('Images', 1),
    col('Selector', 1),
  ],
  cells(cj, now) {
    const template = cj.spec.jobTemplate?.spec;
    return [
      cj.spec.schedule,
      cj.spec.timeZone ?? '<none>',
      cj.spec.suspend ? 'True' : 'False',
      cj.status?.active?.length ?? 0,
      cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>',
      age(cj.metadata.creationTimestamp, now),
      containers(template?.template),
      images(template?.template),
      formatLabelSelector(template?.selector),
    ];
  },
};

export const cronJobStrategy: Strategy<CronJob> = {
  resource: CronJobs,
  defaults: defaultCronJob,
  validate: validateCronJob,
  printer: cronJobPrinter,
  generationChanged: specChanged,
  prepareForCreate: clearStatus,
};
