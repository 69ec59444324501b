// The crash-loop back-off of restarted containers, as the kubelet does it: the first restart is
// immediate, then 10 s, doubling up to 5 minutes; forgotten once a container has run for 10 minutes.

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;
export const STABLE_RUN_MS = 600_000;

interface Entry {
  /** The delay the next exit will get. */
  delayMs: number;
  /** The exit already counted. */
  lastExit: number;
  /** When the container may start again. */
  until: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  /** Counts an exit of `key` at `finishedAt` (once per exit); returns when it may start again. */
  next(key: string, finishedAt: number): number {
    const prev = this.entries.get(key);
    if (prev && finishedAt <= prev.lastExit) return prev.until;
    const until = prev ? finishedAt + prev.delayMs : finishedAt;
    const delayMs = prev ? Math.min(prev.delayMs * 2, MAX_BACKOFF_MS) : INITIAL_BACKOFF_MS;
    this.entries.set(key, { delayMs, lastExit: finishedAt, until });
    return until;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every container of a pod (keys are `<pod uid>/<container>`). */
  forgetPod(uid: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${uid}/`)) this.entries.delete(key);
  }
}
