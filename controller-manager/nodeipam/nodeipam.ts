// Node IPAM (the range allocator of Kubernetes' nodeipam controller): each node without a podCIDR gets the
// next free /24 of --cluster-cidr. Which ranges are taken is kept in memory (a CidrSet) and marked the
// moment one is handed out, before the informer sees the node change, so two nodes joining together
// never get the same range. The first /24 is kept for the pod network's gateway on a laptop cluster.
import type { Node } from '../../shared/api/core';
import { intToIp, ipToInt, parseCidr } from '../../shared/cidr';
import { Nodes } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import type { Logger } from '../../shared/log';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

const NODE_MASK = 24;
const BLOCK = 2 ** (32 - NODE_MASK);

/** The /24 blocks of a cluster CIDR, each free or used. The first block is never handed out. */
export class CidrSet {
  private readonly base: number;
  private readonly blocks: number;
  private readonly used = new Set<number>();

  constructor(private readonly clusterCIDR: string) {
    const { base, size } = parseCidr(clusterCIDR);
    this.base = base;
    this.blocks = Math.floor(size / BLOCK);
  }

  /** The block index of a /24 inside the cluster CIDR, or undefined. */
  private indexOf(cidr: string): number | undefined {
    const [ip, mask] = cidr.split('/');
    if (Number(mask) !== NODE_MASK) return undefined;
    const offset = ipToInt(ip) - this.base;
    return offset >= 0 && offset % BLOCK === 0 && offset / BLOCK < this.blocks ? offset / BLOCK : undefined;
  }

  /** Marks a range someone already holds (a node's existing podCIDR). */
  occupy(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.add(i);
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  /** Takes the first free /24 (after the gateway's); throws when none is left. */
  allocateNext(): string {
    for (let i = 1; i < this.blocks; i++) {
      if (this.used.has(i)) continue;
      this.used.add(i);
      return `${intToIp(this.base + i * BLOCK)}/${NODE_MASK}`;
    }
    throw new Error(`no free pod CIDR left in ${this.clusterCIDR}`);
  }
}

/** The one write the controller makes. */
export interface NodeCIDRWriter {
  setPodCIDR(node: string, cidr: string): Promise<void>;
}

export function nodeCIDRWriter(client: Client): NodeCIDRWriter {
  return {
    setPodCIDR: async (node, cidr) =>
      void (await client.resource<Node>(Nodes).patch(undefined, node, { spec: { podCIDR: cidr, podCIDRs: [cidr] } })),
  };
}

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  readonly queue: RateLimitingQueue;
  private readonly nodes: Lister<Node>;
  private readonly cidrs: CidrSet;
  /** Ranges written to nodes whose change the cache has not shown yet: a stale cache must not allocate twice. */
  private readonly inFlight = new Map<string, string>();
  private existingMarked = false;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: NodeCIDRWriter,
    clusterCIDR: string,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'nodeipam' });
    this.cidrs = new CidrSet(clusterCIDR);
    const informer = informers.informerFor<Node>(Nodes);
    this.nodes = informer.lister;
    const enqueue = (node: Node) => {
      if (node.spec?.podCIDR) this.inFlight.delete(node.metadata.name!);
      else this.queue.add(node.metadata.name!);
    };
    informer.addEventHandler({
      add: enqueue,
      update: (_old, node) => enqueue(node),
      // As the range allocator does: a deleted node's range is free again at once.
      delete: (node) => {
        const cidr = node.spec?.podCIDR ?? this.inFlight.get(node.metadata.name!);
        this.inFlight.delete(node.metadata.name!);
        if (cidr) this.cidrs.release(cidr);
      },
    });
  }

  async sync(name: string): Promise<void> {
    if (!this.existingMarked) {
      // Workers start once the cache has synced: every range in use is known before the first is handed out.
      for (const n of this.nodes.list()) if (n.spec?.podCIDR) this.cidrs.occupy(n.spec.podCIDR);
      this.existingMarked = true;
    }
    const node = this.nodes.get(undefined, name);
    if (!node || this.inFlight.has(name)) return;
    if (node.spec?.podCIDR) return this.cidrs.occupy(node.spec.podCIDR);
    const cidr = this.cidrs.allocateNext();
    this.inFlight.set(name, cidr);
    try {
      await this.writer.setPodCIDR(name, cidr);
    } catch (err) {
      this.inFlight.delete(name);
      this.cidrs.release(cidr);
      if (isNotFound(err)) return;
      throw err;
    }
    this.log.info({ node: name, podCIDR: cidr }, 'assigned pod CIDR');
  }
}
