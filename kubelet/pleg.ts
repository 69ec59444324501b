// The pod lifecycle event generator (pkg/kubelet/pleg, GenericPLEG): relists the runtime every second,
// remembers what each pod's containers looked like (its pod records) and reports the pods whose
// containers started, exited or went away since, so the kubelet syncs those. The records also serve as
// the runtime cache: what the kubelet knows of its containers between two relists.
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

/** What a pod's containers are and are doing: changes when one starts, exits or goes. */
const signature = (rt: PodRuntime | undefined) => JSON.stringify((rt ? allContainers(rt) : []).map((c) => `${c.id}:${c.state}`).sort());

export class GenericPLEG {
  private podRecords = new Map<string, PodRuntime>();

  constructor(
    private readonly runtime: Pick<ContainerRuntime, 'listContainers'>,
    private readonly nodeName: string,
  ) {}

  async relist(): Promise<Relist> {
    const containers = await this.runtime.listContainers(this.nodeName);
    const pods = groupByPod(containers);
    const changed = new Set([...pods].filter(([uid, rt]) => signature(rt) !== signature(this.podRecords.get(uid))).map(([uid]) => uid));
    this.podRecords = pods;
    return { pods, changed, containers };
  }

  /** The runtime state of one pod, read now (GetPodStatus); the record is updated, so the next relist sees no change. */
  async podRuntime(uid: string): Promise<PodRuntime> {
    const containers = (await this.runtime.listContainers(this.nodeName)).filter((c) => c.podUid === uid);
    const rt = groupByPod(containers).get(uid) ?? emptyPodRuntime();
    this.podRecords.set(uid, rt);
    return rt;
  }

  /** Every container as last seen. */
  containers(): RuntimeContainer[] {
    return [...this.podRecords.values()].flatMap(allContainers);
  }

  /** The addresses of the running sandboxes as last seen. */
  runningSandboxIPs(): string[] {
    return [...this.podRecords.values()].flatMap((rt) => (rt.sandbox?.state === 'running' && rt.sandbox.ip ? [rt.sandbox.ip] : []));
  }

  forget(uid: string): void {
    this.podRecords.delete(uid);
  }
}
