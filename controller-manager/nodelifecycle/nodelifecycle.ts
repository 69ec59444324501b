// The node lifecycle controller: a node whose kubelet stops renewing its Lease for the grace period is
// marked Ready=Unknown and tainted unreachable; its pods are evicted after the eviction timeout so their
// controllers recreate them elsewhere. A node whose lease is renewed again gets its taints removed.
import type { Node, Pod, Taint } from '../../shared/api/core';
import type { Lease } from '../../shared/api/coordination';
import { rfc3339 } from '../../shared/api/meta';
import { Leases, Nodes, Pods } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { indexByNodeName } from '../../shared/informer';
import type { Logger } from '../../shared/log';
import { tolerates } from '../../shared/scheduling';

export const UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface NodeLifecycleOptions {
  gracePeriodMs: number;
  evictionTimeoutMs: number;
  monitorPeriodMs: number;
}

/** When the node was last heard from: its lease renewal, or its Ready heartbeat. */
export function lastHeartbeat(node: Node, lease: Lease | undefined): number {
  const renew = lease?.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
  return Math.max(renew, ready ? Date.parse(ready) : 0, Date.parse(node.metadata.creationTimestamp ?? '') || 0);
}

export class NodeLifecycleController {
  readonly name = 'nodelifecycle';
  private readonly nodes: Lister<Node>;
  private readonly leases: Lister<Lease>;
  private readonly pods: Lister<Pod>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
    private readonly opts: NodeLifecycleOptions,
    private readonly log: Logger,
  ) {
    this.nodes = informers.informerFor<Node>(Nodes).lister;
    this.leases = informers.informerFor<Lease>(Leases).lister;
    const pods = informers.informerFor<Pod>(Pods);
    pods.addIndexer('nodeName', indexByNodeName);
    this.pods = pods.lister;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.monitorNodeHealth();
      } catch (err) {
        this.log.warn({ err }, 'node health check failed');
      }
      await this.clock.sleep(this.opts.monitorPeriodMs, signal);
    }
  }

  async monitorNodeHealth(): Promise<void> {
    const now = this.clock.now();
    for (const node of this.nodes.list()) {
      const name = node.metadata.name!;
      const heard = lastHeartbeat(node, this.leases.get('kube-node-lease', name));
      const silent = now - heard > this.opts.gracePeriodMs;
      const taint = node.spec?.taints?.find((t) => t.key === UNREACHABLE && t.effect === 'NoExecute');
      if (silent && !taint) await this.markUnreachable(node, now);
      else if (!silent && taint) await this.markReachable(node);
      else if (silent && taint && now - Date.parse(taint.timeAdded ?? rfc3339(new Date(now))) >= this.opts.evictionTimeoutMs)
        await this.evictPods(node);
    }
  }

  private async markUnreachable(node: Node, now: number): Promise<void> {
    const name = node.metadata.name!;
    const at = rfc3339(new Date(now));
    const conditions = (node.status?.conditions ?? []).map((c) => ({
      ...c,
      status: 'Unknown' as const,
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : at,
    }));
    await this.client.resource<Node>(Nodes).updateStatus({ ...node, status: { ...node.status, conditions } });
    const fresh = await this.client.resource<Node>(Nodes).get(undefined, name);
    const taints: Taint[] = [
      ...(fresh.spec?.taints ?? []).filter((t) => t.key !== UNREACHABLE),
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: at },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: at },
    ];
    await this.client.resource<Node>(Nodes).update({ ...fresh, spec: { ...fresh.spec, taints } });
    this.recorder.event({ ...node, kind: 'Node', apiVersion: 'v1' }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    this.log.info({ node: name }, 'node stopped renewing its lease: marked unreachable');
  }

  private async markReachable(node: Node): Promise<void> {
    const nodes = this.client.resource<Node>(Nodes);
    const fresh = await nodes.get(undefined, node.metadata.name!);
    const taints = (fresh.spec?.taints ?? []).filter((t) => t.key !== UNREACHABLE);
    await nodes.update({ ...fresh, spec: { ...fresh.spec, taints: taints.length ? taints : undefined } });
    this.log.info({ node: node.metadata.name }, 'node is back: unreachable taint removed');
  }

  /** Deletes the pods of an unreachable node at once: their kubelet cannot finish a graceful delete. */
  private async evictPods(node: Node): Promise<void> {
    const pods = this.client.resource<Pod>(Pods);
    for (const pod of this.pods.byIndex('nodeName', node.metadata.name!)) {
      // A pod that tolerates the taint for good (daemon pods do) stays, as the taint manager leaves it.
      const forever = (pod.spec.tolerations ?? []).filter((t) => t.tolerationSeconds === undefined);
      if (tolerates(forever, { key: UNREACHABLE, effect: 'NoExecute' })) continue;
      try {
        await pods.delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        this.recorder.event(
          { ...pod, kind: 'Pod', apiVersion: 'v1' },
          'Normal',
          'TaintManagerEviction',
          `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`,
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
