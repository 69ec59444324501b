// Pod networking across machines, as flannel's host-gw backend does it (--pod-routes=host-gw): every
// machine is on one L2 network, each node's pods live in its own podCIDR, and every node routes the other
// nodes' podCIDRs via their InternalIP. Pods see each other's real IPs: nothing is translated between
// pods; traffic from a pod to outside the cluster is masqueraded behind the node's address.
//
// What this adds to the host, and removes on a clean stop:
//   - routes `<podCIDR of node X> via <IP of X> proto 77` (the protocol number marks them as ours, so a
//     restarted kubelet finds them, replaces what changed and deletes routes of nodes that are gone);
//   - iptables: `nat POSTROUTING -s <own podCIDR> ! -d <cluster CIDR> -j MASQUERADE`, and where Docker
//     filters forwarded traffic (its DOCKER-USER chain exists), ACCEPT to and from the cluster CIDR.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Node } from '../shared/api/core';
import { Nodes } from '../shared/api/resources';
import { Cidr, cidrWithin, isCIDR, isIPv4, parseCidr } from '../shared/cidr';
import type { Client } from '../shared/client';
import { Informer, stripManagedFields } from '../shared/informer';
import type { Logger } from '../shared/log';

const run = promisify(execFile);
export const ROUTE_PROTOCOL = '77';
const COMMENT = ['-m', 'comment', '--comment', 'mini-kubernetes host-gw'];

/** A node whose podCIDR or address cannot be routed, and why. */
export interface IgnoredNode {
  node: string;
  podCIDR: string;
  address: string;
  reason: string;
}

const overlaps = (a: Cidr, b: Cidr) => a.base < b.base + b.size && b.base < a.base + a.size;

/** Why a node's podCIDR and address cannot become a route, if they cannot. */
function unroutable(podCIDR: string, address: string, cluster: Cidr, taken: Cidr[]): string | undefined {
  if (!isCIDR(podCIDR)) return 'spec.podCIDR is not an IPv4 network CIDR';
  const range = parseCidr(podCIDR);
  if (!cidrWithin(range, cluster)) return 'spec.podCIDR is outside the cluster CIDR';
  if (taken.some((t) => overlaps(t, range))) return 'spec.podCIDR overlaps the podCIDR of another node';
  if (!isIPv4(address)) return 'its InternalIP is not an IPv4 address';
  return undefined;
}

/**
 * podCIDR → next hop for every other node that has both. What a Node says is checked before it becomes a
 * route: the podCIDR must be a network inside the cluster CIDR that no other node (this one included)
 * holds, and the next hop an IPv4 address; anything else is left out and reported.
 */
export function desiredRoutes(nodes: Node[], self: string, clusterCIDR: string): { routes: Map<string, string>; ignored: IgnoredNode[] } {
  const cluster = parseCidr(clusterCIDR);
  const own = nodes.find((n) => n.metadata.name === self)?.spec?.podCIDR;
  const taken: Cidr[] = isCIDR(own) ? [parseCidr(own)] : [];
  const routes = new Map<string, string>();
  const ignored: IgnoredNode[] = [];
  for (const node of nodes) {
    const name = node.metadata.name!;
    if (name === self) continue;
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const podCIDR = node.spec?.podCIDR;
    if (!address || !podCIDR) continue; // not assigned yet
    const reason = unroutable(podCIDR, address, cluster, taken);
    if (reason) {
      ignored.push({ node: name, podCIDR, address, reason });
      continue;
    }
    taken.push(parseCidr(podCIDR));
    routes.set(podCIDR, address);
  }
  return { routes, ignored };
}

/** Parses `ip route show proto 77` lines: `10.244.2.0/24 via 198.18.77.12 dev eth0`. */
export function parseRoutes(text: string): Map<string, string> {
  const routes = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) via (\S+)/.exec(line.trim());
    if (m) routes.set(m[1], m[2]);
  }
  return routes;
}

/** The iptables rules (table, chain, rule) that let pods talk across nodes and out of the cluster. */
export function forwardingRules(podCIDR: string, clusterCIDR: string, dockerFilters: boolean): [string, string, string[]][] {
  const rules: [string, string, string[]][] = [
    ['nat', 'POSTROUTING', ['-s', podCIDR, '!', '-d', clusterCIDR, ...COMMENT, '-j', 'MASQUERADE']],
  ];
  if (dockerFilters) {
    rules.push(['filter', 'DOCKER-USER', ['-d', clusterCIDR, ...COMMENT, '-j', 'ACCEPT']]);
    rules.push(['filter', 'DOCKER-USER', ['-s', clusterCIDR, ...COMMENT, '-j', 'ACCEPT']]);
  }
  return rules;
}

export class HostGateway {
  private rules: [string, string, string[]][] = [];
  private nodes?: Informer<Node>;
  private syncing = Promise.resolve();
  /** The ignored nodes last reported, so that each problem is logged once, not at every sync. */
  private reported = '';

  constructor(
    private readonly self: string,
    private readonly clusterCIDR: string,
    private readonly log: Logger,
  ) {}

  /** Makes the routing table hold exactly the routes to the other nodes' pods. */
  async syncRoutes(nodes: Node[]): Promise<void> {
    const { routes: want, ignored } = desiredRoutes(nodes, this.self, this.clusterCIDR);
    const report = JSON.stringify(ignored);
    if (report !== this.reported) for (const i of ignored) this.log.warn(i, 'not routing the pods of a node');
    this.reported = report;
    const have = parseRoutes((await run('ip', ['route', 'show', 'proto', ROUTE_PROTOCOL])).stdout);
    for (const [cidr, via] of want) {
      if (have.get(cidr) === via) continue;
      // One route the kernel refuses must not hold back the others.
      await run('ip', ['route', 'replace', cidr, 'via', via, 'proto', ROUTE_PROTOCOL]).then(
        () => this.log.info({ cidr, via }, 'pod route set'),
        (err: unknown) => this.log.warn({ cidr, via, err }, 'setting a pod route failed'),
      );
    }
    for (const cidr of have.keys()) {
      if (want.has(cidr)) continue;
      await run('ip', ['route', 'del', cidr, 'proto', ROUTE_PROTOCOL]).catch(() => undefined);
      this.log.info({ cidr }, 'pod route removed');
    }
  }

  /** Installs the masquerade and forward rules for this node's podCIDR (once; existing rules are kept). */
  async ensureRules(podCIDR: string): Promise<void> {
    const dockerFilters = await run('iptables', ['-t', 'filter', '-S', 'DOCKER-USER']).then(
      () => true,
      () => false,
    );
    this.rules = forwardingRules(podCIDR, this.clusterCIDR, dockerFilters);
    for (const [table, chain, rule] of this.rules) {
      const present = await run('iptables', ['-t', table, '-C', chain, ...rule]).then(
        () => true,
        () => false,
      );
      if (!present) await run('iptables', ['-t', table, '-I', chain, '1', ...rule]);
    }
  }

  /** Follows the Nodes and keeps the routes in step with their podCIDRs and addresses. */
  run(client: Client): void {
    this.nodes = new Informer<Node>(client, Nodes, { logger: this.log, transform: stripManagedFields });
    const sync = () => {
      this.syncing = this.syncing
        .then(() => this.syncRoutes(this.nodes!.lister.list()))
        .catch((err) => this.log.warn({ err }, 'syncing pod routes failed'));
    };
    this.nodes.addEventHandler({ add: sync, update: sync, delete: sync });
    this.nodes.run();
  }

  /** A clean stop: the routes and rules go. */
  async cleanup(): Promise<void> {
    this.nodes?.stop();
    await this.syncing;
    await this.syncRoutes([]).catch((err) => this.log.warn({ err }, 'removing pod routes failed'));
    for (const [table, chain, rule] of this.rules) await run('iptables', ['-t', table, '-D', chain, ...rule]).catch(() => undefined);
  }
}
