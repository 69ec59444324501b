// What the dashboard knows, as views (views.ts), and the changes since the last flush. Informer handlers
// (or the benchmark's synthetic cluster) put and remove views; every `batchMs` the changes collected meanwhile
// go out as one Delta to every subscriber, several changes to one object collapsing into the last, so a
// burst of watch events costs the page one update.
import type { Clock } from '../shared/clock';
import { realClock } from '../shared/clock';
import type { Delta, Kind, Snapshot, ViewsByKind } from './views';
import { KINDS } from './views';

type Listener = (delta: Delta) => void;

export class DashboardState {
  private readonly views = new Map<Kind, Map<string, unknown>>(KINDS.map((k) => [k, new Map()]));
  /** Pending changes: a view to send, or null for a removal. */
  private pending = new Map<Kind, Map<string, unknown>>();
  private pendingProblems = false;
  private pendingWorkloadKinds = false;
  private readonly problems: Record<string, string> = {};
  private workloadKinds: string[] = [];
  private readonly listeners = new Set<Listener>();
  private timer: unknown;

  constructor(
    private readonly batchMs = 100,
    private readonly clock: Clock = realClock,
  ) {}

  put<K extends Kind>(kind: K, view: ViewsByKind[K] & { key: string }): void {
    this.views.get(kind)!.set(view.key, view);
    this.change(kind, view.key, view);
  }

  remove(kind: Kind, key: string): void {
    if (!this.views.get(kind)!.delete(key)) return;
    this.change(kind, key, null);
  }

  get<K extends Kind>(kind: K, key: string): ViewsByKind[K] | undefined {
    return this.views.get(kind)!.get(key) as ViewsByKind[K] | undefined;
  }

  list<K extends Kind>(kind: K): ViewsByKind[K][] {
    return [...this.views.get(kind)!.values()] as ViewsByKind[K][];
  }

  /** Says that a kind cannot be read (a 403, say), or clears it with undefined. */
  setProblem(what: string, message: string | undefined): void {
    if (this.problems[what] === message) return;
    if (message === undefined) delete this.problems[what];
    else this.problems[what] = message;
    this.pendingProblems = true;
    this.schedule();
  }

  setWorkloadKinds(kinds: string[]): void {
    if (kinds.join() === this.workloadKinds.join()) return;
    this.workloadKinds = [...kinds];
    this.pendingWorkloadKinds = true;
    this.schedule();
  }

  snapshot(): Snapshot {
    const views = Object.fromEntries(KINDS.map((k) => [k, this.list(k)])) as Snapshot['views'];
    return { views, problems: { ...this.problems }, workloadKinds: [...this.workloadKinds] };
  }

  /** Calls `listener` with every flushed Delta until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private change(kind: Kind, key: string, view: unknown): void {
    let byKey = this.pending.get(kind);
    if (!byKey) this.pending.set(kind, (byKey = new Map()));
    byKey.set(key, view);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => this.flush(), this.batchMs);
  }

  /** Sends the pending changes now (the timer calls it; tests may too). */
  flush(): void {
    this.timer = undefined;
    const delta: Delta = { upsert: {}, remove: {} };
    for (const [kind, byKey] of this.pending) {
      const upsert: unknown[] = [];
      const remove: string[] = [];
      for (const [key, view] of byKey) {
        if (view === null) remove.push(key);
        else upsert.push(view);
      }
      if (upsert.length) (delta.upsert as Record<string, unknown[]>)[kind] = upsert;
      if (remove.length) delta.remove[kind] = remove;
    }
    this.pending = new Map();
    if (this.pendingProblems) delta.problems = { ...this.problems };
    if (this.pendingWorkloadKinds) delta.workloadKinds = [...this.workloadKinds];
    this.pendingProblems = this.pendingWorkloadKinds = false;
    if (!Object.keys(delta.upsert).length && !Object.keys(delta.remove).length && !delta.problems && !delta.workloadKinds) return;
    for (const l of this.listeners) l(delta);
  }
}
