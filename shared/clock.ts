// Time as a dependency: the real clock for processes, a fake one that tests step by hand.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest wait a Node timer holds (2^31-1 ms, about 24.8 days): a longer one fires after 1 ms. Go's
 * timers have no such bound, and a CronJob's next run (`0 0 1 1 *`) can be months away.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer of any length: Node timers of at most MAX_TIMER_MS, one after the other. */
interface LongTimer {
  current?: NodeJS.Timeout;
}

function longTimeout(fn: () => void, ms: number): LongTimer {
  const timer: LongTimer = {};
  const arm = (left: number) => {
    timer.current = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, left);
  };
  arm(ms);
  return timer;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: longTimeout,
  clearTimeout: (h) => clearTimeout((h as LongTimer).current),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = longTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t.current);
          resolve();
        },
        { once: true },
      );
    }),
};

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when `step` is called; due timers fire in order. */
export class FakeClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const t = this.setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          this.clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  step(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}
