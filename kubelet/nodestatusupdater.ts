// The kubelet's own Node (pkg/kubelet/kubelet_node_status.go): registers it with the apiserver, then
// writes its status when it changed and at least every minute (nodestatus.ts computes it), and takes the
// podCIDR the controller-manager assigns it.
import type { Node } from '../shared/api/core';
import { Nodes } from '../shared/api/resources';
import { isCIDR } from '../shared/cidr';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import { isAlreadyExists } from '../shared/errors';
import type { Logger } from '../shared/log';
import { initialNode, NodeConfig, nodeStatus, statusChanged } from './nodestatus';

const NODE_STATUS_MAX_AGE_MS = 60_000;

export class NodeStatusUpdater {
  private lastWritten?: number;
  /** A podCIDR of the Node that was not a CIDR, logged once. */
  private ignoredPodCIDR?: string;

  /** `podCIDR`: --pod-cidr, which wins over the one the Node is assigned. */
  constructor(
    private readonly client: Client,
    private readonly config: NodeConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    public podCIDR: string | undefined,
  ) {}

  private get nodes() {
    return this.client.resource<Node>(Nodes);
  }

  /** Creates the Node, or finds it there from an earlier run, and writes its status once. */
  async registerWithAPIServer(): Promise<void> {
    let node: Node;
    try {
      node = await this.nodes.create({
        ...initialNode(this.config),
        status: nodeStatus(this.config, undefined, new Date(this.clock.now())),
      });
      this.log.info({ node: this.config.name }, 'registered node');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await this.nodes.get(undefined, this.config.name);
    }
    this.adoptPodCIDR(node);
    await this.syncNodeStatus(true);
  }

  /** Writes the status if it changed, if the last write is a minute old, or if `force`d. */
  async syncNodeStatus(force = false): Promise<void> {
    const node = await this.nodes.get(undefined, this.config.name);
    this.adoptPodCIDR(node);
    const status = nodeStatus(this.config, node.status, new Date(this.clock.now()));
    const stale = this.lastWritten === undefined || this.clock.now() - this.lastWritten >= NODE_STATUS_MAX_AGE_MS;
    if (!force && !stale && !statusChanged(node.status, status)) return;
    await this.nodes.updateStatus({ ...node, status });
    this.lastWritten = this.clock.now();
  }

  /** This node's podCIDR, once known (from --pod-cidr, or assigned by the controller-manager). */
  async waitForPodCIDR(): Promise<string> {
    while (!this.podCIDR) {
      const node = await this.nodes.get(undefined, this.config.name).catch(() => undefined);
      if (node) this.adoptPodCIDR(node);
      if (!this.podCIDR) await this.clock.sleep(1000);
    }
    return this.podCIDR;
  }

  /**
   * Takes the podCIDR the controller-manager assigned to this node, unless --pod-cidr gave one. It becomes
   * a Docker network, iptables rules and pod addresses, so anything but a network CIDR is ignored.
   */
  private adoptPodCIDR(node: Node): void {
    const cidr = node.spec?.podCIDR;
    if (this.podCIDR || !cidr) return;
    if (isCIDR(cidr)) {
      this.podCIDR = cidr;
    } else if (cidr !== this.ignoredPodCIDR) {
      this.log.warn({ node: this.config.name, podCIDR: cidr }, 'ignoring a podCIDR that is not an IPv4 network CIDR');
      this.ignoredPodCIDR = cidr;
    }
  }
}
