// What the runtime knows of one pod: its infra container (sandbox) and every attempt of each container.
import { INFRA_NAME, RuntimeContainer } from './runtime/interface';

export interface PodRuntime {
  /** The newest infra container. */
  sandbox?: RuntimeContainer;
  /** Every infra container (old ones are removed). */
  sandboxes: RuntimeContainer[];
  /** Attempts of each container by name, newest first. */
  containers: Map<string, RuntimeContainer[]>;
}

const newestFirst = (a: RuntimeContainer, b: RuntimeContainer) => b.attempt - a.attempt || b.createdAt.localeCompare(a.createdAt);

/** Groups a node's containers by pod uid. */
export function groupByPod(containers: RuntimeContainer[]): Map<string, PodRuntime> {
  const pods = new Map<string, PodRuntime>();
  for (const c of containers) {
    let p = pods.get(c.podUid);
    if (!p) pods.set(c.podUid, (p = { sandboxes: [], containers: new Map() }));
    if (c.name === INFRA_NAME) p.sandboxes.push(c);
    else {
      const list = p.containers.get(c.name) ?? [];
      list.push(c);
      p.containers.set(c.name, list);
    }
  }
  for (const p of pods.values()) {
    p.sandboxes.sort(newestFirst);
    p.sandbox = p.sandboxes[0];
    for (const list of p.containers.values()) list.sort(newestFirst);
  }
  return pods;
}

export const emptyPodRuntime = (): PodRuntime => ({ sandboxes: [], containers: new Map() });

/** The newest attempt of a container. */
export const latest = (rt: PodRuntime, name: string): RuntimeContainer | undefined => rt.containers.get(name)?.[0];

/** Every container of the pod: its sandboxes and every attempt of each container. */
export const allContainers = (rt: PodRuntime): RuntimeContainer[] => [...rt.sandboxes, ...[...rt.containers.values()].flat()];
