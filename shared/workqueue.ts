// The work queue of client-go's controllers. Its contract:
//   - a key is never processed by two workers at once;
//   - a key added while it is being processed is processed once more after done();
//   - adding a key that is already waiting does nothing (bursts collapse);
//   - failures are retried with per-key exponential back-off (5 ms doubling, capped), under an overall
//     token-bucket rate limit (10 qps, burst 100), whichever is slower.
import { Clock, realClock } from './clock';
import type { Logger } from './log';

export interface QueueOptions {
  clock?: Clock;
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
  name?: string;
}

export class RateLimitingQueue {
  private readonly clock: Clock;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly waiting = new Map<string, { at: number; handle: unknown }>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private tokens: number;
  private lastRefill: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly qps: number;
  private readonly burst: number;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1000 * 1000;
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    this.tokens = this.burst;
    this.lastRefill = this.clock.now();
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else {
      this.queue.push(key);
    }
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

  /** Re-adds a key that failed, after max(per-key back-off, overall rate limit). */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const backoff = Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
    this.addAfter(key, Math.max(backoff, this.bucketDelay()));
  }

  /** The wait the token bucket imposes on one more item. */
  private bucketDelay(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.qps);
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; waits for one. Undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
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
export async function runWorkers(queue: RateLimitingQueue, workers: number, sync: (key: string) => Promise<void>, logger: Logger): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        logger.warn({ key, err: err instanceof Error ? err.message : String(err), retries: queue.numRequeues(key) }, 'sync failed; requeued with back-off');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
