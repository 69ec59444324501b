// client-go's flowcontrol.Backoff, as the kubelet uses it twice: for restarting crashed containers
// (`back-off 10s restarting failed container`) and for pulling images (`Back-off pulling image`), each
// key's delay starting at 10 s and doubling with every event up to 5 minutes; and as the DaemonSet
// controller uses it for failed daemon pods (1 s doubling up to 15 minutes).

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;
/** A container that has run this long forgets its crash history. */
export const STABLE_RUN_MS = 600_000;

interface Entry {
  /** The delay after the last event. */
  delayMs: number;
  /** When the last event happened. */
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  /** Counts an event of `key` at `at`: the first gets the initial delay, each later one twice the last. */
  next(key: string, at: number): void {
    const prev = this.entries.get(key);
    this.entries.set(key, { delayMs: prev ? Math.min(prev.delayMs * 2, this.maxMs) : this.initialMs, lastUpdate: at });
  }

  /** The current delay of `key` (0 before its first event). */
  get(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** When the back-off that started with `eventTime` (an exit, say) ends, if `now` is still within it. */
  backOffSince(key: string, eventTime: number, now: number): number | undefined {
    const e = this.entries.get(key);
    return e && now - eventTime < e.delayMs ? eventTime + e.delayMs : undefined;
  }

  /** When the back-off after the last event of `key` ends, if `now` is still within it. */
  backOffSinceUpdate(key: string, now: number): number | undefined {
    const e = this.entries.get(key);
    return e && now - e.lastUpdate < e.delayMs ? e.lastUpdate + e.delayMs : undefined;
  }

  /** When the last event of `key` happened. */
  lastUpdate(key: string): number | undefined {
    return this.entries.get(key)?.lastUpdate;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key of a pod (keys are `<pod uid>/...`). */
  forgetPod(uid: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${uid}/`)) this.entries.delete(key);
  }
}
