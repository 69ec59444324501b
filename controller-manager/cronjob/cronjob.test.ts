import type { CronJob, Job } from '../../shared/api/batch';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { CronJobController } from './cronjob';

const cronJob = (spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}, created = '2026-01-15T09:59:10Z'): CronJob => ({
  metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: created },
  spec: {
    schedule: '* * * * *',
    concurrencyPolicy: 'Allow',
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { labels: { app: 'tick' } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    },
    ...spec,
  },
  status,
});

const childJob = (name: string, finished?: 'Complete' | 'Failed', at = '2026-01-15T09:00:00Z'): Job => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    creationTimestamp: at,
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true }],
  },
  spec: { template: { spec: { containers: [] } } },
  status: {
    startTime: at,
    ...(finished
      ? { conditions: [{ type: finished, status: 'True' as const }], ...(finished === 'Complete' ? { completionTime: at } : {}) }
      : {}),
  },
});
const ref = (name: string) => ({ kind: 'Job', namespace: 'default', name, uid: `uid-${name}`, apiVersion: 'batch/v1' });

async function setup(cj: CronJob, jobs: Job[], now: string) {
  const informers = fakeInformers({ cronjobs: [cj], jobs });
  const created: Job[] = [];
  const deleted: string[] = [];
  const statuses: CronJob['status'][] = [];
  const recorder = fakeRecorder();
  const clock = clockAt(now);
  const c = new CronJobController(
    informers,
    {
      createJob: async (_ns, job) => {
        created.push(job);
        return { ...job, metadata: { ...job.metadata, uid: `uid-${job.metadata.name}` } };
      },
      deleteJob: async (_ns, name) => void deleted.push(name),
      updateStatus: async (x) => {
        statuses.push(structuredClone(x.status));
        return x;
      },
    },
    recorder,
    clock,
  );
  await synced(informers);
  c.queue.done((await c.queue.get())!); // the informer's add
  await c.sync('default/tick');
  return { c, created, deleted, statuses, recorder, clock, last: () => statuses[statuses.length - 1] };
}

describe('CronJob controller', () => {
  it('creates the Job of the run due, named after its scheduled minute, and looks again at the next one', async () => {
    const { c, created, last, recorder, clock } = await setup(cronJob(), [], '2026-01-15T10:00:30Z');
    const minutes = Date.parse('2026-01-15T10:00:00Z') / 60_000;
    expect(created.map((j) => j.metadata.name)).toEqual([`tick-${minutes}`]);
    expect(created[0].metadata).toMatchObject({
      labels: { app: 'tick' },
      annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-15T10:00:00Z' },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true },
      ],
    });
    expect(created[0].spec.template.spec.restartPolicy).toBe('Never');
    expect(last()).toEqual({
      active: [{ ...ref(`tick-${minutes}`), resourceVersion: undefined }],
      lastScheduleTime: '2026-01-15T10:00:00Z',
    });
    expect(recorder.events).toEqual([`SuccessfulCreate: Created job tick-${minutes}`]);
    expect(c.queue.len()).toBe(0);
    clock.step(30_200);
    expect(c.queue.len()).toBe(1); // just after 10:01:00
  });

  it('Forbid: no new run while one is active', async () => {
    const { created, recorder } = await setup(
      cronJob({ concurrencyPolicy: 'Forbid' }, { active: [ref('tick-1')], lastScheduleTime: '2026-01-15T09:59:00Z' }),
      [childJob('tick-1')],
      '2026-01-15T10:00:30Z',
    );
    expect(created).toEqual([]);
    expect(recorder.events).toEqual([
      'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
    ]);
  });

  it('Replace: deletes the active run, then starts the new one', async () => {
    const { created, deleted, last, recorder } = await setup(
      cronJob({ concurrencyPolicy: 'Replace' }, { active: [ref('tick-1')], lastScheduleTime: '2026-01-15T09:59:00Z' }),
      [childJob('tick-1')],
      '2026-01-15T10:00:30Z',
    );
    expect(deleted).toEqual(['tick-1']);
    expect(created).toHaveLength(1);
    expect(last()!.active!.map((r) => r.name)).toEqual([created[0].metadata.name]);
    expect(recorder.events[0]).toBe('SuccessfulDelete: Deleted job tick-1');
  });

  it('Allow: runs side by side', async () => {
    const { created, last } = await setup(
      cronJob({}, { active: [ref('tick-1')], lastScheduleTime: '2026-01-15T09:59:00Z' }),
      [childJob('tick-1')],
      '2026-01-15T10:00:30Z',
    );
    expect(created).toHaveLength(1);
    expect(last()!.active).toHaveLength(2);
  });

  it('startingDeadlineSeconds: a run later than the deadline is not started', async () => {
    const late = await setup(
      cronJob({ startingDeadlineSeconds: 20 }, { lastScheduleTime: '2026-01-15T09:58:00Z' }),
      [],
      '2026-01-15T10:00:30Z',
    );
    expect(late.created).toEqual([]);
    const inTime = await setup(
      cronJob({ startingDeadlineSeconds: 60 }, { lastScheduleTime: '2026-01-15T09:58:00Z' }),
      [],
      '2026-01-15T10:00:30Z',
    );
    expect(inTime.created).toHaveLength(1);
  });

  it('too many missed start times: warns and starts only the most recent run', async () => {
    const { created, recorder } = await setup(cronJob({}, {}, '2026-01-12T10:00:00Z'), [], '2026-01-15T10:00:30Z');
    expect(recorder.events[0]).toBe(
      'TooManyMissedTimes: too many missed start times: 4320. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );
    expect(created.map((j) => j.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'])).toEqual([
      '2026-01-15T10:00:00Z',
    ]);
  });

  it('sees its runs finish: off the active list, lastSuccessfulTime, and history beyond the limits deleted', async () => {
    const jobs = [
      childJob('ok-1', 'Complete', '2026-01-15T09:00:00Z'),
      childJob('ok-2', 'Complete', '2026-01-15T09:01:00Z'),
      childJob('ok-3', 'Complete', '2026-01-15T09:02:00Z'),
      childJob('ok-4', 'Complete', '2026-01-15T09:03:00Z'),
      childJob('bad-1', 'Failed', '2026-01-15T09:04:00Z'),
      childJob('bad-2', 'Failed', '2026-01-15T09:05:00Z'),
    ];
    const { deleted, last, recorder } = await setup(
      cronJob({ suspend: true }, { active: [ref('ok-4'), ref('gone')], lastScheduleTime: '2026-01-15T09:05:00Z' }),
      jobs,
      '2026-01-15T10:00:30Z',
    );
    expect(deleted.sort()).toEqual(['bad-1', 'ok-1']);
    expect(last()).toEqual({ active: [], lastScheduleTime: '2026-01-15T09:05:00Z', lastSuccessfulTime: '2026-01-15T09:03:00Z' });
    expect(recorder.events).toEqual(
      expect.arrayContaining([
        'SawCompletedJob: Saw completed job: ok-4, condition: Complete',
        'MissingJob: Active job went missing: gone',
      ]),
    );
  });

  it('reads the schedule in its time zone', async () => {
    const { created } = await setup(
      cronJob({ schedule: '0 9 * * *', timeZone: 'Europe/Paris' }, {}, '2026-01-14T12:00:00Z'),
      [],
      '2026-01-15T08:00:30Z',
    );
    expect(created.map((j) => j.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'])).toEqual([
      '2026-01-15T09:00:00+01:00',
    ]);
  });

  it('across a DST change in its time zone: no run on the day 02:30 does not exist, the next day as usual', async () => {
    const cj = cronJob({ schedule: '30 2 * * *', timeZone: 'America/New_York' }, { lastScheduleTime: '2026-03-07T07:30:00Z' });
    const skipped = await setup(cj, [], '2026-03-08T12:00:00Z');
    expect(skipped.created).toEqual([]);
    skipped.clock.step(1); // the next look: 02:30 EDT on the 9th
    const next = await setup(cj, [], '2026-03-09T06:30:30Z');
    expect(next.created.map((j) => j.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp'])).toEqual([
      '2026-03-09T02:30:00-04:00',
    ]);
  });

  it('suspended: starts nothing', async () => {
    const { created } = await setup(cronJob({ suspend: true }), [], '2026-01-15T10:00:30Z');
    expect(created).toEqual([]);
  });
});
