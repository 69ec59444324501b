// NodeInfo: a node with what is already asked of it (the requests of its pods, their host ports), kept
// up to date incrementally so filtering a node is cheap.
import type { Container, Node, Pod } from '../shared/api/core';
import { milliValue, parseQuantity } from '../shared/quantity';

export interface Resources {
  milliCPU: number;
  memory: number;
  pods: number;
}

const addResources = (a: Resources, b: Resources, sign = 1): Resources => ({
  milliCPU: a.milliCPU + sign * b.milliCPU,
  memory: a.memory + sign * b.memory,
  pods: a.pods + sign * b.pods,
});

function containerRequests(c: Container): Resources {
  // Limits stand in for requests that are not given, as Kubernetes defaults them.
  const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
  return { milliCPU: req.cpu ? milliValue(req.cpu) : 0, memory: req.memory ? parseQuantity(req.memory) : 0, pods: 0 };
}

/** Pods from the informer are never changed in place (an update is a new object): their requests can be kept. */
const requestsOf = new WeakMap<Pod, Resources>();

/** What a pod asks of a node: the sum over containers, or the largest init container if larger. */
export function podRequests(pod: Pod): Resources {
  let r = requestsOf.get(pod);
  if (!r) requestsOf.set(pod, (r = computeRequests(pod)));
  return r;
}

function computeRequests(pod: Pod): Resources {
  let total: Resources = { milliCPU: 0, memory: 0, pods: 1 };
  for (const c of pod.spec.containers) total = addResources(total, containerRequests(c));
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c);
    total = { milliCPU: Math.max(total.milliCPU, r.milliCPU), memory: Math.max(total.memory, r.memory), pods: 1 };
  }
  return total;
}

export function allocatable(node: Node): Resources {
  const a = node.status?.allocatable ?? {};
  return { milliCPU: a.cpu ? milliValue(a.cpu) : 0, memory: a.memory ? parseQuantity(a.memory) : 0, pods: a.pods ? Number(a.pods) : 110 };
}

const hostPorts = (pod: Pod) =>
  pod.spec.containers.flatMap((c) =>
    (c.ports ?? []).filter((p) => p.hostPort).map((p) => `${p.protocol ?? 'TCP'}/${p.hostIP ?? '0.0.0.0'}/${p.hostPort}`),
  );

export class NodeInfo {
  readonly pods = new Map<string, Pod>();
  requested: Resources = { milliCPU: 0, memory: 0, pods: 0 };
  readonly usedPorts = new Map<string, number>();
  private current!: Node;
  /** The node's allocatable resources, parsed once per node update. */
  allocatable!: Resources;

  constructor(node: Node) {
    this.node = node;
  }

  get node(): Node {
    return this.current;
  }

  set node(node: Node) {
    this.current = node;
    this.allocatable = allocatable(node);
  }

  addPod(key: string, pod: Pod): void {
    if (this.pods.has(key)) this.removePod(key);
    this.pods.set(key, pod);
    this.requested = addResources(this.requested, podRequests(pod));
    for (const p of hostPorts(pod)) this.usedPorts.set(p, (this.usedPorts.get(p) ?? 0) + 1);
  }

  removePod(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) return;
    this.pods.delete(key);
    this.requested = addResources(this.requested, podRequests(pod), -1);
    for (const p of hostPorts(pod)) {
      const n = (this.usedPorts.get(p) ?? 1) - 1;
      if (n) this.usedPorts.set(p, n);
      else this.usedPorts.delete(p);
    }
  }

  /** Whether a host port (`TCP/0.0.0.0/8080`) conflicts with one in use (0.0.0.0 conflicts with any IP). */
  portInUse(protocol: string, hostIP: string, port: number): boolean {
    for (const used of this.usedPorts.keys()) {
      const [proto, ip, p] = used.split('/');
      if (proto === protocol && Number(p) === port && (ip === hostIP || ip === '0.0.0.0' || hostIP === '0.0.0.0')) return true;
    }
    return false;
  }
}
