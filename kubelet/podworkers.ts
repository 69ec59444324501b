// The kubelet's pod workers (pkg/kubelet/pod_workers.go): every update of a pod (a watch event, a PLEG
// event, a probe result, the periodic resync) becomes an updatePod, and the pod's sync runs once at a time
// for it: an update that comes in while it runs makes it run once more afterwards, a burst of updates
// makes one sync. Kubernetes runs one worker per pod: a sync waits on the engine for seconds under load,
// so with a few workers new pods would queue behind the ones being started; a node holds at most maxPods.
// A sync that throws is retried with the work queue's per-pod back-off.
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { RateLimitingQueue, runWorkers } from '../shared/workqueue';

export class PodWorkers {
  private readonly queue: RateLimitingQueue;

  constructor(clock: Clock) {
    this.queue = new RateLimitingQueue({ clock, name: 'pods' });
  }

  /** Syncs the pod `key` (namespace/name) soon. */
  updatePod(key: string): void {
    this.queue.add(key);
  }

  /** Syncs the pod again after `delayMs` (a back-off ends, a retry is due). */
  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Runs up to `workers` syncs at once, never two of one pod, until stop(). */
  run(workers: number, syncPod: (key: string) => Promise<void>, log: Logger): Promise<void> {
    return runWorkers(this.queue, workers, syncPod, log);
  }

  stop(): void {
    this.queue.shutDown();
  }
}
