// The work queue of client-go's controllers. Its contract:
//   - a key is never processed by two workers at once;
//   - a key added while it is being processed is processed once more after done();
//   - adding a key that is already waiting does nothing (bursts collapse);
//   - failures are retried after the wait its rate limiter gives (shared/ratelimiter.ts; by default
//     client-go's controller limiter: per-key back-off 5 ms doubling, capped, under a 10 qps bucket).
// A named queue reports client-go's workqueue metrics (labelled name=<queue>) once a process has set a
// metrics provider (setWorkqueueMetricsProvider), as Kubernetes' components do at start-up.
import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';
import { Clock, realClock } from './clock';
import type { Logger } from './log';
import { defaultControllerRateLimiter, RateLimiter } from './ratelimiter';

/** client-go's workqueue metrics, one series per queue name. */
export class WorkqueueMetrics {
  readonly depth: Gauge;
  readonly adds: Counter;
  readonly workDuration: Histogram;
  readonly retries: Counter;

  constructor(registry: Registry) {
    const common = { labelNames: ['name'], registers: [registry] };
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', ...common });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', ...common });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      buckets: exponentialBuckets(1e-8, 10, 10),
      ...common,
    });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', ...common });
  }
}

let provider: WorkqueueMetrics | undefined;

/** client-go's workqueue.SetProvider: named queues created afterwards report to this registry. */
export function setWorkqueueMetricsProvider(registry: Registry): void {
  provider = new WorkqueueMetrics(registry);
}

/** One queue's view of the metrics: its labels, and when each key being processed was handed out. */
class QueueMetrics {
  private readonly labels: { name: string };
  private readonly started = new Map<string, number>();

  /** Every series exists from the start, at zero, as client-go creates them with the queue. */
  constructor(
    private readonly metrics: WorkqueueMetrics,
    name: string,
    private readonly clock: Clock,
  ) {
    this.labels = { name };
    metrics.depth.set(this.labels, 0);
    metrics.adds.inc(this.labels, 0);
    metrics.workDuration.zero(this.labels);
    metrics.retries.inc(this.labels, 0);
  }

  add(): void {
    this.metrics.adds.inc(this.labels);
  }

  depth(n: number): void {
    this.metrics.depth.set(this.labels, n);
  }

  get(key: string): void {
    this.started.set(key, this.clock.now());
  }

  done(key: string): void {
    const start = this.started.get(key);
    if (start === undefined) return;
    this.started.delete(key);
    this.metrics.workDuration.observe(this.labels, (this.clock.now() - start) / 1000);
  }

  retry(): void {
    this.metrics.retries.inc(this.labels);
  }
}

export interface QueueOptions {
  clock?: Clock;
  /** How long a failed key waits; default: defaultControllerRateLimiter. */
  rateLimiter?: RateLimiter;
  /** The queue's name in the workqueue metrics; an unnamed queue reports none. */
  name?: string;
  /** Where a named queue reports; default: the provider set for the process. */
  metrics?: WorkqueueMetrics;
}

export class RateLimitingQueue {
  private readonly clock: Clock;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly rateLimiter: RateLimiter;
  private readonly waiting = new Map<string, { at: number; handle: unknown }>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly metrics?: QueueMetrics;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    const metrics = opts.metrics ?? provider;
    if (opts.name && metrics) this.metrics = new QueueMetrics(metrics, opts.name, this.clock);
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.metrics?.add();
    if (this.processing.has(key)) return; // re-queued by done()
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.startProcessing(key);
      getter(key);
    } else {
      this.queue.push(key);
      this.metrics?.depth(this.queue.length);
    }
  }

  private startProcessing(key: string): void {
    this.processing.add(key);
    this.metrics?.get(key);
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimeout(pending.handle);
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, handle });
  }

  /** Re-adds a key that failed, after the wait its rate limiter gives. */
  addRateLimited(key: string): void {
    this.metrics?.retry();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process; waits for one. Undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.metrics?.depth(this.queue.length);
      this.dirty.delete(key);
      this.startProcessing(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    this.metrics?.done(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  len(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.waiting.values()) this.clock.clearTimeout(handle);
    this.waiting.clear();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }
}

/** Runs `workers` loops of get → sync → forget or addRateLimited → done, until the queue shuts down. */
export async function runWorkers(
  queue: RateLimitingQueue,
  workers: number,
  sync: (key: string) => Promise<void>,
  logger: Logger,
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        logger.warn({ key, err, retries: queue.numRequeues(key) }, 'sync failed; requeued with back-off');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
