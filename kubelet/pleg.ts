// The pod lifecycle event generator (pkg/kubelet/pleg, GenericPLEG): relists the runtime every second,
// remembers what each pod's containers looked like (its pod records) and reports the pods whose
// containers started, exited or went away since, so the kubelet syncs those.
//
// The records are also the pod cache (kubecontainer.Cache): a pod worker reads the pod's containers from
// them instead of listing the node (a whole-node list per sync made the engine's work grow with the pod
// count). A sync that changes the pod's containers records what it made (observe, updatePod), so its
// next sync starts from what is there; anything else (a container exiting) shows at the next relist,
// which syncs the pod. A relist's list is taken before it returns: a record a sync wrote after the list
// was taken is newer than the list and is kept.
import { allContainers, emptyPodRuntime, groupByPod, PodRuntime } from './podruntime';
import type { ContainerRuntime, RuntimeContainer } from './runtime/interface';

export const RELIST_PERIOD_MS = 1_000;

export interface Relist {
  /** Every pod the runtime holds containers of, by uid. */
  pods: Map<string, PodRuntime>;
  /** The pods whose containers changed since the last relist. */
  changed: Set<string>;
  /** Every container of the node. */
  containers: RuntimeContainer[];
}

/** A pod's containers as last seen, and when: the value of the PLEG's write counter then. */
interface PodRecord {
  rt: PodRuntime;
  seen: number;
}

/** What a pod's containers are and are doing: changes when one starts, exits or goes. */
const signature = (rt: PodRuntime | undefined) => JSON.stringify((rt ? allContainers(rt) : []).map((c) => `${c.id}:${c.state}`).sort());

/**
 * The records after a relist whose list was taken when the counter was `listedAt`: the listed pods,
 * except those a sync recorded since (kept, as are pods a sync created since), and which pods changed.
 */
export function mergeRelist(
  records: Map<string, PodRecord>,
  listed: Map<string, PodRuntime>,
  listedAt: number,
): { records: Map<string, PodRecord>; changed: Set<string> } {
  const next = new Map<string, PodRecord>();
  const changed = new Set<string>();
  for (const [uid, rt] of listed) {
    const old = records.get(uid);
    if (old && old.seen > listedAt) next.set(uid, old);
    else {
      if (signature(rt) !== signature(old?.rt)) changed.add(uid);
      next.set(uid, { rt, seen: listedAt });
    }
  }
  for (const [uid, old] of records) if (!listed.has(uid) && old.seen > listedAt) next.set(uid, old);
  return { records: next, changed };
}

/** The pod's containers with `seen` put in place of (or beside) what the record held of them. */
export function withContainers(rt: PodRuntime, seen: RuntimeContainer[]): PodRuntime {
  const ids = new Set(seen.map((c) => c.id));
  return groupByPod([...allContainers(rt).filter((c) => !ids.has(c.id)), ...seen]).get(seen[0].podUid) ?? emptyPodRuntime();
}

export class GenericPLEG {
  private records = new Map<string, PodRecord>();
  /** Counts record writes by syncs: a relist keeps records written after its list was taken. */
  private writes = 0;

  constructor(
    private readonly runtime: Pick<ContainerRuntime, 'listContainers' | 'containerStatus'>,
    private readonly nodeName: string,
  ) {}

  async relist(): Promise<Relist> {
    const listedAt = this.writes;
    const listed = groupByPod(await this.runtime.listContainers(this.nodeName));
    const { records, changed } = mergeRelist(this.records, listed, listedAt);
    this.records = records;
    const pods = new Map([...records].map(([uid, r]) => [uid, r.rt]));
    return { pods, changed, containers: this.containers() };
  }

  /** The pod's containers from the cache: the last relist, or what a sync recorded since. */
  podRuntime(uid: string): PodRuntime {
    return this.records.get(uid)?.rt ?? emptyPodRuntime();
  }

  /** GetPodStatus: the pod's containers read from the runtime now (a list of this pod's only), recorded. */
  async updatePod(uid: string): Promise<PodRuntime> {
    const rt = groupByPod(await this.runtime.listContainers(this.nodeName, uid)).get(uid) ?? emptyPodRuntime();
    return this.record(uid, rt);
  }

  /** Records the containers `ids` of the pod (just created or started by its sync) as the runtime reports them now. */
  async observe(uid: string, ids: string[]): Promise<PodRuntime> {
    const seen = (await Promise.all(ids.map((id) => this.runtime.containerStatus(id)))).filter((c): c is RuntimeContainer => !!c);
    return seen.length ? this.record(uid, withContainers(this.podRuntime(uid), seen)) : this.podRuntime(uid);
  }

  private record(uid: string, rt: PodRuntime): PodRuntime {
    this.records.set(uid, { rt, seen: ++this.writes });
    return rt;
  }

  /** Every container as last seen. */
  containers(): RuntimeContainer[] {
    return [...this.records.values()].flatMap((r) => allContainers(r.rt));
  }

  /** The addresses of the running sandboxes as last seen. */
  runningSandboxIPs(): string[] {
    return [...this.records.values()].flatMap(({ rt }) => (rt.sandbox?.state === 'running' && rt.sandbox.ip ? [rt.sandbox.ip] : []));
  }

  forget(uid: string): void {
    this.records.delete(uid);
  }
}
