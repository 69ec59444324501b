// The watch cache of one resource (Kubernetes' Cacher, reduced): one etcd watch over every namespace,
// the last events kept in a window, and every client watch served from memory. A hundred watchers cost
// one etcd watch and one decode per change instead of a hundred. A watch from a resourceVersion older
// than the window (or while the cache is not watching) goes to etcd directly, which also answers
// 410 Expired for compacted versions.
import type { Logger } from '../../shared/log';
import type { StorageEvent } from '../storage/interface';

/** What the cache needs from below: an etcd watch from a revision, and the current revision. */
export interface WatchSource {
  watch(resourceVersion: string, onEvent: (e: StorageEvent) => void, onError: (err: Error) => void, signal: AbortSignal): Promise<void>;
  currentRevision(): Promise<string>;
}

interface Watcher {
  namespace?: string;
  onEvent: (e: StorageEvent) => void;
  onError: (err: Error) => void;
}

const WINDOW = 1000;
const RESTART_DELAY_MS = 1000;

const revisionOf = (e: StorageEvent) => BigInt(e.object.metadata.resourceVersion!);

export class WatchCache {
  private readonly window: StorageEvent[] = [];
  /** Events after this revision are all in the window (undefined: not watching). */
  private coveredFrom?: bigint;
  private readonly watchers = new Set<Watcher>();
  private running?: AbortController;

  constructor(
    private readonly source: WatchSource,
    private readonly log: Logger,
  ) {}

  /**
   * Serves a watch from memory if the cache holds every event after `resourceVersion`; returns false
   * when it cannot (the caller watches etcd itself). Events are shared: watchers must not change them.
   */
  subscribe(
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: Watcher['onEvent'],
    onError: Watcher['onError'],
    signal: AbortSignal,
  ): boolean {
    this.start();
    if (!/^\d+$/.test(resourceVersion) || this.coveredFrom === undefined || BigInt(resourceVersion) < this.coveredFrom) return false;
    const from = BigInt(resourceVersion);
    const matches = (e: StorageEvent) => namespace === undefined || e.object.metadata.namespace === namespace;
    // Later events may carry revisions at or before `from` while the cache lags behind the caller's read.
    const watcher: Watcher = { namespace, onEvent: (e) => revisionOf(e) > from && matches(e) && onEvent(e), onError };
    for (const e of this.window) watcher.onEvent(e);
    this.watchers.add(watcher);
    signal.addEventListener('abort', () => this.watchers.delete(watcher), { once: true });
    return true;
  }

  stop(): void {
    this.running?.abort();
  }

  /** Starts the etcd watch once; after an error every subscriber is told (they watch again) and it restarts. */
  private start(): void {
    if (this.running) return;
    const running = new AbortController();
    this.running = running;
    void (async () => {
      try {
        const from = await this.source.currentRevision();
        if (running.signal.aborted) return;
        this.window.length = 0;
        this.coveredFrom = BigInt(from);
        await new Promise<void>((resolve, reject) => {
          this.source
            .watch(from, (e) => this.add(e), reject, running.signal)
            .then(() => (running.signal.aborted ? resolve() : undefined), reject);
          running.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } catch (err) {
        this.log.warn({ err }, 'watch cache lost its etcd watch; restarting');
        this.coveredFrom = undefined;
        const watchers = [...this.watchers];
        this.watchers.clear();
        for (const w of watchers) w.onError(err as Error);
        await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
        if (this.running === running) this.running = undefined; // the next subscribe starts it again
      }
    })();
  }

  private add(e: StorageEvent): void {
    this.window.push(e);
    if (this.window.length > WINDOW) this.coveredFrom = revisionOf(this.window.shift()!);
    for (const w of this.watchers) w.onEvent(e);
  }
}
