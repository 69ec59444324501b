// When a CronJob should have started last, as upstream's mostRecentScheduleTime reckons it: from the
// last schedule (or its creation), within startingDeadlineSeconds, counting the runs it missed.
import type { CronJob } from '../../shared/api/batch';
import type { CronSchedule } from '../../shared/cron';

/** More missed runs than this means a wrong clock or a long outage: Kubernetes warns TooManyMissedTimes. */
export const TOO_MANY_MISSED = 100;

export interface MostRecent {
  /** The latest run at or before now that has not been scheduled yet (epoch ms). */
  time?: number;
  /** How many runs were missed since the last one (an estimate, as upstream's). */
  missed: number;
}

export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: CronSchedule, timeZone: string): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? new Date(now).toISOString());
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = schedule.next(earliest, timeZone);
  if (t1 === undefined || t1 > now) return { missed: 0 };
  const t2 = schedule.next(t1, timeZone);
  if (t2 === undefined || t2 > now) return { time: t1, missed: 1 };
  const between = Math.max(1, Math.round((t2 - t1) / 1000));
  const missed = Math.floor((now - t1) / 1000 / between) + 1;
  // Jump close to now by whole intervals, then let the schedule find the exact last run.
  let t: number | undefined = t1 + (missed - 2) * between * 1000;
  let last = t1;
  for (t = schedule.next(t, timeZone); t !== undefined && t <= now; t = schedule.next(t, timeZone)) last = t;
  return { time: last, missed };
}

/** The name of the Job of the run at `time`: `<cronjob>-<minutes since the epoch>`. */
export const jobNameFor = (cj: CronJob, time: number): string => `${cj.metadata.name}-${Math.floor(time / 60_000)}`;
