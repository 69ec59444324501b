// client-go's work-queue rate limiters (util/workqueue/default_rate_limiters.go), composed as there:
// a limiter says how long an item waits before it is retried, and forgets an item that succeeded.
//   ItemExponentialFailureRateLimiter  per item: base * 2^failures, capped
//   BucketRateLimiter                  overall: a token bucket of qps and burst, shared by all items
//   MaxOfRateLimiter                   the slowest of several
// Controllers use defaultControllerRateLimiter(), the composition Kubernetes' controllers use.
import type { Clock } from './clock';

export interface RateLimiter {
  /** How long `item` waits now; also counts this as one more failure of it. */
  when(item: string): number;
  /** The item succeeded: its back-off starts over. */
  forget(item: string): void;
  /** How many times the item has been rate limited since it was last forgotten. */
  numRequeues(item: string): number;
}

export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  when(item: string): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  forget(item: string): void {
    this.failures.delete(item);
  }

  numRequeues(item: string): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket refilled at `qps` up to `burst`; each item takes a token, waiting for one if none is left. */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.lastRefill = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.qps);
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(item: string): number {
    return Math.max(...this.limiters.map((l) => l.when(item)));
  }

  forget(item: string): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: string): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/** client-go's DefaultControllerRateLimiter: 5 ms doubling to 1000 s per item, at most 10 qps (burst 100) overall. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1000 * 1000), new BucketRateLimiter(10, 100, clock));
}
