// The ttl-after-finished controller: deletes a finished Job (Complete or Failed) ttlSecondsAfterFinished
// after it finished, in the foreground so its pods go first, and only the Job it looked at (uid
// precondition), as upstream's pkg/controller/ttlafterfinished does.
import { Job, jobFinished } from '../../shared/api/batch';
import { objectKey, splitKey } from '../../shared/api/meta';
import { Jobs } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

export interface JobDeleter {
  /** DELETE with propagationPolicy Foreground and a uid precondition. */
  deleteJob(namespace: string, name: string, uid: string): Promise<void>;
}

/** When a finished Job with a TTL expires (epoch ms), if it has one. */
export function expiresAt(job: Job): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  const finished = jobFinished(job);
  if (ttl === undefined || ttl === null || !finished || job.metadata.deletionTimestamp) return undefined;
  const at = Date.parse(finished.lastTransitionTime ?? job.status?.completionTime ?? '');
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  readonly queue: RateLimitingQueue;
  private readonly jobs: Lister<Job>;

  constructor(
    informers: SharedInformerFactory,
    private readonly deleter: JobDeleter,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'ttl_jobs_to_delete' });
    const informer = informers.informerFor<Job>(Jobs);
    this.jobs = informer.lister;
    const enqueue = (job: Job) => {
      if (expiresAt(job) !== undefined) this.queue.add(objectKey(job));
    };
    informer.addEventHandler({ add: enqueue, update: (_old, job) => enqueue(job) });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const job = this.jobs.get(namespace, name);
    if (!job) return;
    const at = expiresAt(job);
    if (at === undefined) return;
    const left = at - this.clock.now();
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    try {
      await this.deleter.deleteJob(namespace!, name, job.metadata.uid!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
