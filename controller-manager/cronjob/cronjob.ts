// The CronJob controller (upstream's cronjob controllerv2): at each scheduled time it creates the Job of
// the jobTemplate named <cronjob>-<scheduled minutes>, as concurrencyPolicy allows (Allow; Forbid skips a
// run while one is active; Replace deletes the active ones first), unless the run is later than
// startingDeadlineSeconds; it keeps status.active, lastScheduleTime and lastSuccessfulTime, deletes
// finished Jobs beyond the history limits, and looks again at the next scheduled time.
import { DateTime } from 'luxon';
import { CRONJOB_SCHEDULED_TIMESTAMP, CronJob, CronJobStatus, Job, jobFinished } from '../../shared/api/batch';
import type { ObjectReference } from '../../shared/api/core';
import { objectKey, rfc3339, splitKey } from '../../shared/api/meta';
import { CronJobs, Jobs } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { isValidTimeZone, parseCronSchedule } from '../../shared/cron';
import { semanticallyEqual } from '../../shared/equality';
import { isAlreadyExists, isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, ownerKey } from '../controller';
import { controllerRef } from '../podcontrol';
import { jobNameFor, mostRecentScheduleTime, TOO_MANY_MISSED } from './schedule';

export interface CronJobWriter {
  createJob(namespace: string, job: Job): Promise<Job>;
  /** Deletes a Job and, in the background, its pods. */
  deleteJob(namespace: string, name: string): Promise<void>;
  updateStatus(cj: CronJob): Promise<CronJob>;
}

/** Upstream looks again a little after the next scheduled time. */
const NEXT_SCHEDULE_DELTA_MS = 100;

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  readonly queue: RateLimitingQueue;
  private readonly cronJobs: Lister<CronJob>;
  private readonly jobs: Lister<Job>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: CronJobWriter,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'cronjob' });
    const cjInformer = informers.informerFor<CronJob>(CronJobs);
    const jobInformer = informers.informerFor<Job>(Jobs);
    this.cronJobs = cjInformer.lister;
    this.jobs = jobInformer.lister;
    cjInformer.addEventHandler({
      add: (cj) => this.queue.add(objectKey(cj)),
      update: (_old, cj) => this.queue.add(objectKey(cj)),
      delete: (cj) => this.queue.add(objectKey(cj)),
    });
    const owner = (job: Job) => {
      const key = ownerKey(job, 'CronJob');
      if (key) this.queue.add(key);
    };
    jobInformer.addEventHandler({ add: owner, update: (_old, job) => owner(job), delete: owner });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.cronJobs.get(namespace, name);
    if (!cached) return;
    const cj = structuredClone(cached);
    const obj = { ...cj, kind: 'CronJob', apiVersion: 'batch/v1' };
    const now = this.clock.now();
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    const children = this.jobs
      .list(namespace)
      .filter((j) => j.metadata.ownerReferences?.some((r) => r.controller && r.uid === cj.metadata.uid));
    const active = new Map((status.active ?? []).map((r) => [r.uid!, r]));

    // 1. What the Jobs say: finished ones leave the active list, their success time is kept.
    for (const job of children) {
      const finished = jobFinished(job);
      const uid = job.metadata.uid!;
      if (!finished && !active.has(uid)) {
        this.recorder.event(
          obj,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata.name}`,
        );
      } else if (finished && active.has(uid)) {
        active.delete(uid);
        this.recorder.event(obj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${finished.type}`);
      }
      const completed = finished?.type === 'Complete' ? job.status?.completionTime : undefined;
      if (completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime)))
        status.lastSuccessfulTime = completed;
    }
    const childUids = new Set(children.map((j) => j.metadata.uid));
    for (const [uid, ref] of active)
      if (!childUids.has(uid)) {
        active.delete(uid);
        this.recorder.event(obj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      }
    status.active = [...active.values()];
    await this.cleanupFinishedJobs(cj, obj, children);

    // 2. The run due now, if any; the status is written whatever happened.
    let failure: unknown;
    try {
      await this.startDueRun(key, cj, obj, status, children, now);
    } catch (err) {
      failure = err;
    }
    if (!semanticallyEqual(cj.status ?? {}, status)) {
      try {
        await this.writer.updateStatus({ ...cj, status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (failure) throw failure;
  }

  private async startDueRun(key: string, cj: CronJob, obj: CronJob, status: CronJobStatus, children: Job[], now: number): Promise<void> {
    const namespace = cj.metadata.namespace;
    status.active ??= [];
    if (cj.metadata.deletionTimestamp) return;
    const timeZone = cj.spec.timeZone ?? 'UTC';
    if (!isValidTimeZone(timeZone)) {
      this.recorder.event(
        obj,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: ${JSON.stringify(timeZone)}: unknown time zone ${timeZone}`,
      );
      return;
    }
    let schedule;
    try {
      schedule = parseCronSchedule(cj.spec.schedule);
    } catch (err) {
      this.recorder.event(
        obj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`,
      );
      return;
    }
    if (cj.spec.suspend) return;
    const requeueNext = () => {
      const next = schedule.next(now, timeZone);
      if (next !== undefined) this.queue.addAfter(key, next - now + NEXT_SCHEDULE_DELTA_MS);
    };
    const recent = mostRecentScheduleTime({ ...cj, status }, now, schedule, timeZone);
    if (recent.missed > TOO_MANY_MISSED)
      this.recorder.event(
        obj,
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      );
    const scheduled = recent.time;
    if (scheduled === undefined) return requeueNext();
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      const rfc1123z = DateTime.fromMillis(scheduled, { zone: 'utc' }).setLocale('en-US').toFormat('ccc, dd LLL yyyy HH:mm:ss ZZZ');
      this.recorder.event(obj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z}`);
      return requeueNext();
    }
    const jobName = jobNameFor(cj, scheduled);
    if (children.some((j) => j.metadata.name === jobName) || status.active.some((r) => r.name === jobName)) return requeueNext();
    if (cj.spec.concurrencyPolicy === 'Forbid' && status.active.length) {
      this.recorder.event(
        obj,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return requeueNext();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of status.active) {
        try {
          await this.writer.deleteJob(namespace!, ref.name!);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        this.recorder.event(obj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
      }
      status.active = [];
    }
    let job: Job;
    try {
      job = await this.writer.createJob(namespace!, jobFromTemplate(cj, jobName, scheduled, timeZone));
      this.recorder.event(obj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.recorder.event(obj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created by an earlier sync whose status write was lost: it is the run of this time.
      const existing = this.jobs.get(namespace, jobName);
      if (!existing) throw err;
      job = existing;
    }
    status.active.push(referenceTo(job));
    status.lastScheduleTime = rfc3339(new Date(scheduled));
    requeueNext();
  }

  /** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
  private async cleanupFinishedJobs(cj: CronJob, obj: CronJob, children: Job[]): Promise<void> {
    const byStart = (a: Job, b: Job) =>
      (a.status?.startTime ?? a.metadata.creationTimestamp ?? '').localeCompare(b.status?.startTime ?? b.metadata.creationTimestamp ?? '');
    for (const [type, limit] of [
      ['Complete', cj.spec.successfulJobsHistoryLimit],
      ['Failed', cj.spec.failedJobsHistoryLimit],
    ] as const) {
      if (limit === undefined || limit === null) continue;
      const done = children.filter((j) => jobFinished(j)?.type === type && !j.metadata.deletionTimestamp).sort(byStart);
      for (const job of done.slice(0, Math.max(0, done.length - limit))) {
        try {
          await this.writer.deleteJob(job.metadata.namespace!, job.metadata.name!);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        this.recorder.event(obj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      }
    }
  }
}

/** The Job of a run: the template's labels, annotations and spec, owned by the CronJob. */
export function jobFromTemplate(cj: CronJob, name: string, scheduled: number, timeZone: string): Job {
  const t = cj.spec.jobTemplate;
  const when = DateTime.fromMillis(scheduled, { zone: timeZone });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...t.metadata?.labels },
      annotations: {
        ...t.metadata?.annotations,
        [CRONJOB_SCHEDULED_TIMESTAMP]: when.offset === 0 ? rfc3339(new Date(scheduled)) : when.toISO({ suppressMilliseconds: true })!,
      },
      ownerReferences: [controllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(t.spec),
  };
}

function referenceTo(job: Job): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion,
  };
}
