import type { CronJob } from '../../../shared/api/batch';
import type { KubeObject } from '../../../shared/api/meta';
import { toTable } from '../../printers';
import type { Printer } from '../../printers/table';
import { cronJobStrategy as strategy } from './cronjobs';

const cronJob = (spec: Partial<CronJob['spec']> = {}, name = 'tick'): CronJob => ({
  metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    ...spec,
  },
});
const messages = (cj: CronJob) => {
  strategy.defaults!(cj);
  return strategy.validate(cj).map((c) => `${c.field}: ${c.message}`);
};

describe('CronJob strategy', () => {
  it('defaults concurrencyPolicy, suspend and the history limits', () => {
    const cj = cronJob();
    expect(messages(cj)).toEqual([]);
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  });

  it('refuses bad schedules, time zones, policies and names in Kubernetes words', () => {
    expect(messages(cronJob({ schedule: '* * *' }))).toEqual([
      'spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]',
    ]);
    expect(messages(cronJob({ schedule: 'TZ=UTC 0 0 * * *' }))).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
    expect(messages(cronJob({ timeZone: 'Mars/Olympus' }))).toEqual([
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    ]);
    expect(messages(cronJob({ concurrencyPolicy: 'Sometimes' as 'Allow' }))).toEqual([
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]);
    expect(messages(cronJob({}, 'x'.repeat(53)))).toEqual([
      `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
    ]);
    const always = cronJob();
    always.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always';
    expect(messages(always)).toEqual([
      'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it('prints NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
    const now = new Date('2026-01-01T01:00:00Z');
    const a = cronJob({ suspend: false });
    a.status = { active: [{ name: 'tick-1' }], lastScheduleTime: '2026-01-01T00:55:00Z' };
    const b = cronJob({ suspend: true, timeZone: 'Europe/Paris' }, 'paris');
    const table = toTable(strategy.printer as Printer, [a, b] as KubeObject[], { now });
    expect(table.columnDefinitions.slice(0, 7).map((c) => c.name)).toEqual([
      'Name',
      'Schedule',
      'Timezone',
      'Suspend',
      'Active',
      'Last Schedule',
      'Age',
    ]);
    expect(table.rows.map((r) => r.cells.slice(0, 7))).toEqual([
      ['tick', '*/5 * * * *', '<none>', 'False', 1, '5m', '60m'],
      ['paris', '*/5 * * * *', 'Europe/Paris', 'True', 0, '<none>', '60m'],
    ]);
  });
});
