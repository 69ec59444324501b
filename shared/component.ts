// How every process of the cluster runs, as Kubernetes' commands do: start, and on SIGTERM or SIGINT
// run the shutdown steps registered while starting, last registered first, then exit 0. A start that
// fails is logged and exits 1 (the supervisor, systemd or compose restarts it).
import type { Logger } from './log';

export interface Lifecycle {
  /** Runs `step` when the process is told to stop (steps registered later run first). */
  onShutdown(step: (signal: string) => unknown): void;
  /** Whether a stop has begun: what ends now is the shutdown, not a failure. */
  readonly stopping: boolean;
}

export function runComponent(name: string, log: Logger, main: (lifecycle: Lifecycle) => Promise<unknown>): void {
  const steps: ((signal: string) => unknown)[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const step of steps.reverse()) {
      try {
        await step(signal);
      } catch (err) {
        log.warn({ err }, 'a shutdown step failed');
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const lifecycle: Lifecycle = {
    onShutdown: (step) => void steps.push(step),
    get stopping() {
      return stopping;
    },
  };
  main(lifecycle).catch((err) => {
    log.error({ err }, `${name} failed`);
    process.exit(1);
  });
}
