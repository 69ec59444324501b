// The page's copy of the server's views, kept from the event stream (a snapshot, then deltas), with the
// indexes the views need, rebuilt lazily after a change: pods by node, children by owner uid, events by
// the object they are about, traffic by Service.
import type { Delta, EventView, Kind, PodView, Snapshot, TrafficView, ViewsByKind, WorkloadView } from '../views';
import { KINDS } from '../views';

export class Store {
  readonly maps = new Map<Kind, Map<string, unknown>>(KINDS.map((k) => [k, new Map()]));
  problems: Record<string, string> = {};
  workloadKinds: string[] = [];
  /** Bumped on every change: views compare it to skip work. */
  version = 0;
  /** Per kind, the version at which it last changed: an index is rebuilt only when its kinds changed. */
  private readonly changed = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
  private readonly built = new Map<string, number>();
  private podsByNode = new Map<string, PodView[]>();
  private childrenByOwner = new Map<string, (PodView | WorkloadView)[]>();
  private eventsByObject = new Map<string, EventView[]>();
  private trafficByService = new Map<string, TrafficView[]>();
  private sortedEvents: EventView[] = [];

  map<K extends Kind>(kind: K): Map<string, ViewsByKind[K]> {
    return this.maps.get(kind) as Map<string, ViewsByKind[K]>;
  }

  list<K extends Kind>(kind: K): ViewsByKind[K][] {
    return [...this.map(kind).values()];
  }

  reset(snapshot: Snapshot): void {
    for (const kind of KINDS) {
      const m = new Map<string, unknown>();
      for (const v of snapshot.views[kind] ?? []) m.set((v as { key: string }).key, v);
      this.maps.set(kind, m);
    }
    this.problems = snapshot.problems;
    this.workloadKinds = snapshot.workloadKinds;
    this.version++;
    for (const kind of KINDS) this.changed.set(kind, this.version);
  }

  apply(delta: Delta): void {
    this.version++;
    for (const [kind, views] of Object.entries(delta.upsert) as [Kind, { key: string }[]][]) {
      for (const v of views) this.maps.get(kind)!.set(v.key, v);
      this.changed.set(kind, this.version);
    }
    for (const [kind, keys] of Object.entries(delta.remove) as [Kind, string[]][]) {
      for (const k of keys) this.maps.get(kind)!.delete(k);
      this.changed.set(kind, this.version);
    }
    if (delta.problems) this.problems = delta.problems;
    if (delta.workloadKinds) this.workloadKinds = delta.workloadKinds;
  }

  /** Whether the index `name`, built from `kinds`, is older than their last change (and marks it rebuilt). */
  private stale(name: string, kinds: Kind[]): boolean {
    const latest = Math.max(...kinds.map((k) => this.changed.get(k)!));
    if ((this.built.get(name) ?? -1) >= latest) return false;
    this.built.set(name, latest);
    return true;
  }

  private indexPods(): void {
    if (!this.stale('pods', ['pods', 'workloads'])) return;
    this.podsByNode = new Map();
    this.childrenByOwner = new Map();
    for (const p of this.map('pods').values()) {
      push(this.podsByNode, p.node ?? '', p);
      if (p.owner) push(this.childrenByOwner, p.owner.uid, p);
    }
    for (const w of this.map('workloads').values()) if (w.owner) push(this.childrenByOwner, w.owner.uid, w);
    for (const list of this.podsByNode.values()) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const list of this.childrenByOwner.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private indexEvents(): void {
    if (!this.stale('events', ['events'])) return;
    this.eventsByObject = new Map();
    this.sortedEvents = [...this.map('events').values()].sort((a, b) => (a.last < b.last ? 1 : a.last > b.last ? -1 : 0));
    for (const e of this.sortedEvents) push(this.eventsByObject, objectId(e.object.kind, e.object.namespace ?? '', e.object.name), e);
  }

  private indexTraffic(): void {
    if (!this.stale('traffic', ['traffic'])) return;
    this.trafficByService = new Map();
    for (const t of this.map('traffic').values()) push(this.trafficByService, t.service.slice(0, t.service.lastIndexOf(':')), t);
  }

  podsOn(node: string): PodView[] {
    this.indexPods();
    return this.podsByNode.get(node) ?? [];
  }

  /** Pods no node holds yet. */
  unscheduled(): PodView[] {
    return this.podsOn('');
  }

  childrenOf(uid: string): (PodView | WorkloadView)[] {
    this.indexPods();
    return this.childrenByOwner.get(uid) ?? [];
  }

  /** Events about an object, newest first. */
  eventsFor(kind: string, namespace: string, name: string): EventView[] {
    this.indexEvents();
    return this.eventsByObject.get(objectId(kind, namespace, name)) ?? [];
  }

  /** Every event, newest first. */
  events(): EventView[] {
    this.indexEvents();
    return this.sortedEvents;
  }

  /** kube-proxy's counters for the ports of Service `namespace/name`. */
  trafficFor(serviceKey: string): TrafficView[] {
    this.indexTraffic();
    return this.trafficByService.get(serviceKey) ?? [];
  }
}

const objectId = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  let list = m.get(key);
  if (!list) m.set(key, (list = []));
  list.push(v);
}
