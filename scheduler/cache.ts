// The scheduler's cache: a NodeInfo per node, fed by the node and pod informers, plus "assumed" pods:
// a pod counts on its node from the moment it is chosen, before the binding is visible, so two quick
// decisions never overcommit a node.
import type { Node, Pod } from '../shared/api/core';
import { objectKey } from '../shared/api/meta';
import { NodeInfo } from './nodeinfo';

const terminated = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Pods placed on nodes whose pods are not known yet. */
  private readonly orphans = new Map<string, Map<string, Pod>>();
  /** podKey → node, for pods assumed but not yet seen bound. */
  private readonly assumed = new Map<string, string>();
  /** podKey → the node it is counted on, so an update touches one node, not all. */
  private readonly placed = new Map<string, string>();

  setNode(node: Node): void {
    const name = node.metadata.name!;
    const info = this.nodes.get(name);
    if (info) {
      info.node = node;
      return;
    }
    const fresh = new NodeInfo(node);
    for (const [key, pod] of this.orphans.get(name) ?? []) fresh.addPod(key, pod);
    this.orphans.delete(name);
    this.nodes.set(name, fresh);
  }

  removeNode(name: string): void {
    this.nodes.delete(name);
  }

  /** A pod seen by the informer: counted on its node while bound and not terminated. */
  updatePod(pod: Pod): void {
    const key = objectKey(pod);
    const node = pod.spec.nodeName;
    if (node) this.assumed.delete(key);
    this.unplace(key);
    if (!node || terminated(pod)) return;
    this.place(key, node, pod);
  }

  private place(key: string, node: string, pod: Pod): void {
    this.placed.set(key, node);
    const info = this.nodes.get(node);
    if (info) info.addPod(key, pod);
    else {
      const m = this.orphans.get(node) ?? new Map<string, Pod>();
      m.set(key, pod);
      this.orphans.set(node, m);
    }
  }

  private unplace(key: string): void {
    const node = this.placed.get(key);
    if (node === undefined) return;
    this.placed.delete(key);
    this.nodes.get(node)?.removePod(key);
    this.orphans.get(node)?.delete(key);
  }

  removePod(pod: Pod): void {
    const key = objectKey(pod);
    this.assumed.delete(key);
    this.unplace(key);
  }

  assume(pod: Pod, node: string): void {
    const key = objectKey(pod);
    this.assumed.set(key, node);
    this.unplace(key);
    this.place(key, node, { ...pod, spec: { ...pod.spec, nodeName: node } });
  }

  forget(pod: Pod): void {
    const key = objectKey(pod);
    if (!this.assumed.delete(key)) return;
    this.unplace(key);
  }

  isAssumed(pod: Pod): boolean {
    return this.assumed.has(objectKey(pod));
  }

  nodeInfos(): NodeInfo[] {
    return [...this.nodes.values()];
  }
}
