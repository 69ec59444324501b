// Node IPAM: each node without a podCIDR gets the next free /24 of --cluster-cidr. The first /24 is kept
// for the pod network's gateway on a laptop cluster.
import type { Node } from '../../shared/api/core';
import { intToIp, parseCidr } from '../../shared/cidr';
import { Nodes } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { SharedInformerFactory } from '../../shared/informer';
import type { Logger } from '../../shared/log';

/** The first /24 of `clusterCIDR` (after the gateway's) that no node uses. */
export function nextPodCIDR(clusterCIDR: string, used: Set<string>): string | undefined {
  const { base, size } = parseCidr(clusterCIDR);
  for (let offset = 256; offset < size; offset += 256) {
    const cidr = `${intToIp(base + offset)}/24`;
    if (!used.has(cidr)) return cidr;
  }
  return undefined;
}

export class NodeIpamController {
  private pending = Promise.resolve();

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    private readonly clusterCIDR: string,
    private readonly log: Logger,
  ) {
    const informer = informers.informerFor<Node>(Nodes);
    const allocate = (node: Node) => {
      if (!node.spec?.podCIDR)
        this.pending = this.pending
          .then(() => this.allocate(node.metadata.name!, informer.lister.list()))
          .catch((err) => this.log.warn({ err }, 'pod CIDR allocation failed'));
    };
    informer.addEventHandler({ add: allocate, update: (_o, n) => allocate(n) });
  }

  private async allocate(name: string, nodes: Node[]): Promise<void> {
    const client = this.client.resource<Node>(Nodes);
    const node = await client.get(undefined, name);
    if (node.spec?.podCIDR) return;
    const used = new Set(nodes.map((n) => n.spec?.podCIDR).filter((c): c is string => !!c));
    const cidr = nextPodCIDR(this.clusterCIDR, used);
    if (!cidr) throw new Error(`no free pod CIDR left in ${this.clusterCIDR}`);
    await client.patch(undefined, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    this.log.info({ node: name, podCIDR: cidr }, 'assigned pod CIDR');
  }
}
