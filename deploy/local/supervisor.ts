// How the launcher keeps a component running, as systemd's Restart=always and compose's restart policy
// keep theirs: a process that exits while the cluster is not stopping is logged and started again after
// a back-off of 1 s, doubling with each quick exit up to 30 s; a run of 60 s or more starts the count
// afresh. (The scheduler and controller-manager exit on purpose when they lose their lease, as
// Kubernetes' do, and count on this to campaign again.)
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/log';

export const INITIAL_RESTART_DELAY_MS = 1_000;
export const MAX_RESTART_DELAY_MS = 30_000;
export const STABLE_RUN_MS = 60_000;

/** The wait before the next start, given the previous wait (none yet) and how long the process ran. */
export function restartDelay(previousMs: number | undefined, ranMs: number): number {
  if (previousMs === undefined || ranMs >= STABLE_RUN_MS) return INITIAL_RESTART_DELAY_MS;
  return Math.min(previousMs * 2, MAX_RESTART_DELAY_MS);
}

/** What the supervisor needs of a child process (a ChildProcess, or a fake in tests). */
export type Child = Pick<ChildProcess, 'pid' | 'kill' | 'once'>;

export class Supervised {
  private child?: Child;
  private exited?: Promise<void>;
  private startedAt = 0;
  private delayMs?: number;
  private timer?: unknown;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly spawn: () => Child,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Called with each new process (the launcher writes its pid file). */
    private readonly onStart: (child: Child) => void = () => undefined,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const child = this.spawn();
    this.child = child;
    this.startedAt = this.clock.now();
    this.exited = new Promise((resolve) =>
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.child === child) this.child = undefined;
        resolve();
        if (!this.stopping) this.scheduleRestart(code, signal);
      }),
    );
    this.onStart(child);
    this.log.info({ process: this.name, pid: child.pid }, 'started');
  }

  private scheduleRestart(code: number | null, signal: NodeJS.Signals | null): void {
    const ranMs = this.clock.now() - this.startedAt;
    this.delayMs = restartDelay(this.delayMs, ranMs);
    this.log.warn({ process: this.name, code, signal, ranMs, restartInMs: this.delayMs }, 'exited; restarting after back-off');
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopping) this.start();
    }, this.delayMs);
  }

  /** Stops the process for good: SIGTERM, then SIGKILL after `graceMs`; no restart follows. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = this.clock.setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    this.clock.clearTimeout(killer);
  }
}
