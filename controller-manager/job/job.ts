// The Job controller: runs a Job's pods until enough succeed (Complete) or too many fail, its deadline
// passes or a podFailurePolicy rule says so (Failed). Each pod it creates carries the job-tracking
// finalizer: a finished pod is first recorded in status.uncountedTerminatedPods, then freed of the
// finalizer, then counted in succeeded or failed, so no pod is counted twice or lost when the pod is
// deleted. Replacements for failed pods wait an exponential back-off (backoff.ts). As in Kubernetes 1.31,
// a Job reaching its end first gets SuccessCriteriaMet or FailureTarget, and Complete or Failed once none
// of its pods is left running.
import {
  Job,
  jobCondition,
  JobCondition,
  JobConditionType,
  jobFinished,
  JobStatus,
  JOB_COMPLETION_INDEX,
  JOB_TRACKING_FINALIZER,
} from '../../shared/api/batch';
import type { Pod, PodTemplateSpec } from '../../shared/api/core';
import { objectKey, rfc3339, splitKey } from '../../shared/api/meta';
import { Jobs, Pods } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, isPodReady, ownerKey } from '../controller';
import { Expectations } from '../expectations';
import { controllerRef, PodControl } from '../podcontrol';
import { deletionOrder } from '../replicaset/replicaset';
import { remainingBackoff } from './backoff';
import { formatIndexes, parseIndexes } from './indexes';
import { matchPodFailurePolicy } from './podfailurepolicy';

export interface JobWriter {
  updateStatus(job: Job): Promise<Job>;
  /** Removes the job-tracking finalizer from a pod (a pod already gone is fine). */
  removeFinalizer(pod: Pod): Promise<void>;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const hasFinalizer = (p: Pod) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const indexOf = (p: Pod): number | undefined => {
  const v = p.metadata.annotations?.[JOB_COMPLETION_INDEX] ?? p.metadata.labels?.[JOB_COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};

/** The pod template of one index of an Indexed Job: its index as annotation, label, env and hostname. */
export function indexedTemplate(job: Job, index: number): PodTemplateSpec {
  const t = structuredClone(job.spec.template);
  const meta = (t.metadata ??= {});
  meta.annotations = { ...meta.annotations, [JOB_COMPLETION_INDEX]: String(index) };
  meta.labels = { ...meta.labels, [JOB_COMPLETION_INDEX]: String(index) };
  for (const c of [...(t.spec.initContainers ?? []), ...t.spec.containers]) {
    if (c.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
    c.env = [
      ...(c.env ?? []),
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } },
    ];
  }
  t.spec.hostname ??= `${job.metadata.name}-${index}`;
  return t;
}

export class JobController implements Controller {
  readonly name = 'job';
  readonly queue: RateLimitingQueue;
  readonly expectations: Expectations;
  private readonly jobs: Lister<Job>;
  private readonly pods: Lister<Pod>;
  /** Pods whose finalizer this controller removed, until the cache shows it gone (upstream's finalizer expectations). */
  private readonly freed = new Set<string>();
  /** How many pods the last status this controller wrote to each Job accounts for, until the Job cache shows it. */
  private readonly written = new Map<string, { uid: string; accounted: number }>();

  constructor(
    informers: SharedInformerFactory,
    private readonly podControl: PodControl,
    private readonly writer: JobWriter,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'job' });
    this.expectations = new Expectations(clock);
    const jobInformer = informers.informerFor<Job>(Jobs);
    const podInformer = informers.informerFor<Pod>(Pods);
    this.jobs = jobInformer.lister;
    this.pods = podInformer.lister;
    jobInformer.addEventHandler({
      add: (job) => this.queue.add(objectKey(job)),
      update: (_old, job) => this.queue.add(objectKey(job)),
      delete: (job) => this.queue.add(objectKey(job)),
    });
    podInformer.addEventHandler({
      add: (pod) => {
        const key = ownerKey(pod, 'Job');
        if (!key) return;
        this.expectations.observedAdd(key);
        this.queue.add(key);
      },
      update: (old, pod) => {
        if (!hasFinalizer(pod)) this.freed.delete(pod.metadata.uid!);
        const key = ownerKey(pod, 'Job');
        if (!key) return;
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.observedDelete(key);
        this.queue.add(key);
      },
      delete: (pod) => {
        this.freed.delete(pod.metadata.uid!);
        const key = ownerKey(pod, 'Job');
        if (!key) return;
        if (!pod.metadata.deletionTimestamp) this.expectations.observedDelete(key);
        this.queue.add(key);
      },
    });
  }

  /** The pods this Job controls (its uid in their controller reference). */
  private podsOf(job: Job): Pod[] {
    return this.pods
      .list(job.metadata.namespace)
      .filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === job.metadata.uid));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.get(namespace, name);
    if (!cached) {
      // The Job is gone: its pods must not stay held by the finalizer (the garbage collector deletes them).
      this.expectations.forget(key);
      this.written.delete(key);
      const orphans = this.pods
        .list(namespace)
        .filter((p) => hasFinalizer(p) && p.metadata.ownerReferences?.some((r) => r.controller && r.kind === 'Job' && r.name === name));
      await Promise.all(orphans.map((p) => this.writer.removeFinalizer(p)));
      return;
    }
    // The Job and pod caches are fed by two watches: the pods may already show the finalizers this
    // controller removed while the Job does not yet show the status that counted them. Counting from that
    // Job would lose those pods and create their replacements; its update is on the way and syncs again.
    const written = this.written.get(key);
    if (written && written.uid === cached.metadata.uid && accountedFor(cached.status) < written.accounted) return;
    this.written.delete(key);
    const job = structuredClone(cached);
    const pods = this.podsOf(job);
    if (jobFinished(job) || job.metadata.deletionTimestamp) {
      await Promise.all(pods.filter(hasFinalizer).map((p) => this.writer.removeFinalizer(p)));
      return;
    }
    const now = this.clock.now();
    const status: JobStatus = structuredClone(job.status ?? {});
    const suspended = job.spec.suspend === true;
    const jobObj = { ...job, kind: 'Job', apiVersion: 'batch/v1' };

    // Suspension: the Suspended condition, and (on resume) a fresh start time.
    if (suspended && !jobCondition(job, 'Suspended')) {
      status.conditions = setJobCondition(status.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      this.recorder.event(jobObj, 'Normal', 'Suspended', 'Job suspended');
    } else if (!suspended && jobCondition(job, 'Suspended')) {
      status.conditions = setJobCondition(status.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      status.startTime = rfc3339(new Date(now));
      this.recorder.event(jobObj, 'Normal', 'Resumed', 'Job resumed');
    }
    if (!suspended && !status.startTime) status.startTime = rfc3339(new Date(now));

    // 1. Finished pods still holding the finalizer are recorded as uncounted, then freed and counted.
    const uncounted = {
      succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
      failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
    };
    const ending = !!(jobCondition(job, 'FailureTarget') || jobCondition(job, 'SuccessCriteriaMet'));
    let failJob: { reason: string; message: string } | undefined;
    const toFree: Pod[] = [];
    const indexed = job.spec.completionMode === 'Indexed';
    const completed = parseIndexes(status.completedIndexes);
    for (const pod of pods.filter(hasFinalizer)) {
      const uid = pod.metadata.uid!;
      if (this.freed.has(uid)) continue; // counted already; the cache has not caught up
      const deleted = !!pod.metadata.deletionTimestamp;
      if (!isTerminal(pod) && !deleted) continue;
      toFree.push(pod);
      if (uncounted.succeeded.includes(uid) || uncounted.failed.includes(uid)) continue;
      if (pod.status?.phase === 'Succeeded') {
        uncounted.succeeded.push(uid);
        continue;
      }
      // A deleted pod that did not succeed is a failure, unless the controller itself stopped it.
      if (pod.status?.phase !== 'Failed' && (suspended || ending || job.spec.podReplacementPolicy === 'Failed')) continue;
      const match = pod.status?.phase === 'Failed' ? matchPodFailurePolicy(job, pod) : undefined;
      if (match?.action === 'Ignore') continue;
      if (match?.action === 'FailJob') failJob ??= { reason: 'PodFailurePolicy', message: match.message! };
      uncounted.failed.push(uid);
    }
    if (
      uncounted.succeeded.length + uncounted.failed.length >
      (status.uncountedTerminatedPods?.succeeded?.length ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0)
    ) {
      status.uncountedTerminatedPods = uncounted;
      await this.writeStatus(job, status);
    }
    await Promise.all(
      toFree.map(async (p) => {
        await this.writer.removeFinalizer(p);
        this.freed.add(p.metadata.uid!);
      }),
    );
    const byUid = new Map(pods.map((p) => [p.metadata.uid!, p]));
    for (const uid of uncounted.succeeded) {
      status.succeeded = (status.succeeded ?? 0) + 1;
      const i = byUid.get(uid) && indexOf(byUid.get(uid)!);
      if (indexed && i !== undefined && i < (job.spec.completions ?? 0)) completed.add(i);
    }
    status.failed = (status.failed ?? 0) + uncounted.failed.length;
    if (indexed) {
      status.completedIndexes = formatIndexes(completed);
      status.succeeded = completed.size;
    }
    status.uncountedTerminatedPods = {};

    // 2. The pods that run now.
    const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const terminating = pods.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp).length;

    // 3. The end: success, or a failure (policy, back-off limit, deadline).
    const succeeded = status.succeeded ?? 0;
    const completions = job.spec.completions;
    let finished: JobCondition | undefined = jobCondition(job, 'FailureTarget') ?? jobCondition(job, 'SuccessCriteriaMet');
    if (!finished) {
      const complete = completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0;
      const restarts =
        job.spec.template.spec.restartPolicy === 'OnFailure'
          ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0)
          : 0;
      if (failJob) finished = newCondition('FailureTarget', failJob.reason, failJob.message, now);
      else if ((status.failed ?? 0) > (job.spec.backoffLimit ?? 6) || (restarts > 0 && restarts >= (job.spec.backoffLimit ?? 6)))
        finished = newCondition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      else if (!suspended && job.spec.activeDeadlineSeconds !== undefined && status.startTime) {
        const left = Date.parse(status.startTime) + job.spec.activeDeadlineSeconds * 1000 - now;
        if (left <= 0) finished = newCondition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
        else this.queue.addAfter(key, left);
      }
      if (!finished && complete)
        finished = newCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      if (finished) status.conditions = setJobCondition(status.conditions, finished.type, 'True', finished.reason!, finished.message!, now);
    }

    if (finished || suspended) {
      // Nothing more runs: stop what does.
      await this.deletePods(key, jobObj, active);
      if (finished && active.length === 0 && terminating === 0) {
        const final = finished.type === 'FailureTarget' ? 'Failed' : 'Complete';
        status.conditions = setJobCondition(status.conditions, final, 'True', finished.reason!, finished.message!, now);
        if (final === 'Complete') {
          status.completionTime = rfc3339(new Date(now));
          this.recorder.event(jobObj, 'Normal', 'Completed', 'Job completed');
        } else this.recorder.event(jobObj, 'Warning', finished.reason!, finished.message!);
      }
      status.active = 0;
    } else if (this.expectations.satisfied(key)) {
      const wait = remainingBackoff(
        pods.filter((p) => p.status?.phase === 'Succeeded'),
        pods.filter((p) => p.status?.phase === 'Failed'),
        now,
      );
      if (wait > 0) this.queue.addAfter(key, wait);
      else await this.manageJob(key, job, jobObj, active, status.succeeded ?? 0, completed);
      status.active = active.length;
    } else status.active = active.length;
    status.terminating = terminating;
    status.ready = active.filter(isPodReady).length;
    await this.writeStatus(job, status);
  }

  /**
   * Creates the missing pods (up to parallelism) or deletes the surplus. `succeeded` counts the pods
   * this sync has just counted too: the Job's status from before them would ask for one pod too many.
   */
  private async manageJob(key: string, job: Job, jobObj: Job, active: Pod[], succeeded: number, completed: Set<number>): Promise<void> {
    const parallelism = job.spec.parallelism ?? 1;
    const completions = job.spec.completions;
    let templates: { template: PodTemplateSpec; generateName: string }[];
    if (job.spec.completionMode === 'Indexed') {
      const running = new Set(active.map(indexOf));
      const missing: number[] = [];
      for (let i = 0; i < (completions ?? 0) && missing.length < parallelism - active.length; i++)
        if (!completed.has(i) && !running.has(i)) missing.push(i);
      templates = missing.map((i) => ({ template: indexedTemplate(job, i), generateName: `${job.metadata.name}-${i}-` }));
    } else {
      const wanted = completions === undefined ? (succeeded > 0 ? 0 : parallelism) : Math.min(parallelism, completions - succeeded);
      const diff = Math.max(0, wanted) - active.length;
      if (diff < 0) {
        await this.deletePods(key, jobObj, [...active].sort(deletionOrder).slice(0, -diff));
        return;
      }
      templates = Array.from({ length: diff }, () => ({ template: job.spec.template, generateName: `${job.metadata.name}-` }));
    }
    if (!templates.length) return;
    this.expectations.expect(key, templates.length, 0);
    const owner = controllerRef(job, 'batch/v1', 'Job');
    const results = await Promise.allSettled(
      templates.map(({ template, generateName }) => {
        const t = structuredClone(template);
        (t.metadata ??= {}).finalizers = [...(t.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
        return this.podControl.createPod(job.metadata.namespace!, t, owner, generateName);
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    for (const r of results)
      if (r.status === 'fulfilled') this.recorder.event(jobObj, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
    if (failed.length) {
      this.expectations.lower(key, failed.length, 0);
      this.recorder.event(jobObj, 'Warning', 'FailedCreate', `Error creating: ${(failed[0].reason as Error).message}`);
      throw failed[0].reason;
    }
  }

  private async deletePods(key: string, jobObj: Job, pods: Pod[]): Promise<void> {
    if (!pods.length) return;
    this.expectations.expect(key, 0, pods.length);
    await Promise.all(
      pods.map(async (pod) => {
        await this.podControl.deletePod(pod.metadata.namespace!, pod.metadata.name!);
        this.recorder.event(jobObj, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      }),
    );
  }

  private async writeStatus(job: Job, status: JobStatus): Promise<void> {
    // Go's omitempty: the plain counts are left out at 0 (ready and terminating are pointers, kept).
    for (const f of ['active', 'succeeded', 'failed'] as const) if (status[f] === 0) delete status[f];
    const clean = (s: JobStatus | undefined) =>
      JSON.parse(
        JSON.stringify(s ?? {}, (k, v) => (k === 'uncountedTerminatedPods' && !v?.succeeded?.length && !v?.failed?.length ? undefined : v)),
      );
    if (semanticallyEqual(clean(job.status), clean(status))) return;
    try {
      const written = await this.writer.updateStatus({ ...job, status });
      job.status = structuredClone(written.status ?? status);
      job.metadata.resourceVersion = written.metadata.resourceVersion;
      this.written.set(objectKey(job), { uid: job.metadata.uid!, accounted: accountedFor(job.status) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The finished pods a Job's status accounts for: counted, or recorded as not counted yet. */
const accountedFor = (s: JobStatus | undefined): number =>
  (s?.succeeded ?? 0) +
  (s?.failed ?? 0) +
  (s?.uncountedTerminatedPods?.succeeded?.length ?? 0) +
  (s?.uncountedTerminatedPods?.failed?.length ?? 0);

function newCondition(type: JobConditionType, reason: string, message: string, now: number): JobCondition {
  const at = rfc3339(new Date(now));
  return { type, status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at };
}

/** Sets a Job condition, keeping lastTransitionTime when its status does not change. */
function setJobCondition(
  conditions: JobCondition[] | undefined,
  type: JobConditionType,
  status: JobCondition['status'],
  reason: string,
  message: string,
  now: number,
): JobCondition[] {
  const list = [...(conditions ?? [])];
  const at = rfc3339(new Date(now));
  const i = list.findIndex((c) => c.type === type);
  const next: JobCondition = { type, status, reason, message, lastProbeTime: at, lastTransitionTime: at };
  if (i >= 0) {
    if (list[i].status === status) next.lastTransitionTime = list[i].lastTransitionTime;
    list[i] = next;
  } else list.push(next);
  return list;
}
