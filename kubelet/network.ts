// The pod network of a node on one Docker engine: a bridge network holding pods, pod IPs from the node's
// podCIDR (the kubelet assigns them itself, so several kubelets can share one network), and an
// `unreachable` route for the whole pod network so a packet to an unassigned pod IP never leaves the host.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { intToIp, parseCidr } from '../shared/cidr';
import { RouteHolders } from './routeholders';

const run = promisify(execFile);

/** The first free address of `cidr` for a pod: not the network, the .1 gateway, the broadcast, or in use. */
export function nextPodIP(cidr: string, used: Set<string>): string | undefined {
  const { base, size } = parseCidr(cidr);
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIp(base + i);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/**
 * Pod addresses handed out, by pod uid, until the pod's containers are removed (as host-local IPAM keeps a
 * reservation until the CNI DEL): a sandbox being started is in no relist yet, and pods are synced
 * concurrently, so the running sandboxes alone would give two new pods the same address.
 */
export class PodIPAM {
  private readonly reserved = new Map<string, string>();

  /** A new address for the pod's new sandbox: free in `cidr`, not `inUse` by running sandboxes, not reserved. */
  allocate(uid: string, cidr: string, inUse: string[]): string {
    this.reserved.delete(uid); // a new sandbox gets an address of its own
    const ip = nextPodIP(cidr, new Set([...inUse, ...this.reserved.values()]));
    if (!ip) throw new Error(`no free IP in ${cidr}`);
    this.reserved.set(uid, ip);
    return ip;
  }

  release(uid: string): void {
    this.reserved.delete(uid);
  }
}

/** The gateway of the pod network: its first address. */
export const gatewayOf = (cidr: string): string => intToIp(parseCidr(cidr).base + 1);

/**
 * The `unreachable <cidr>` route, shared by every kubelet of the host: the last live holder to stop
 * removes it (RouteHolders). A high metric lets the bridge's own route win.
 */
export class UnreachableRoute {
  private readonly holders: RouteHolders;

  constructor(
    private readonly cidr: string,
    private readonly holder: string,
    stateDir = '/run/mini-kubernetes/routes',
  ) {
    this.holders = RouteHolders.forResource(stateDir, cidr);
  }

  async ensure(): Promise<void> {
    await this.holders.hold(this.holder);
    const { stdout } = await run('ip', ['route', 'show', 'type', 'unreachable', this.cidr]);
    if (stdout.trim()) return;
    try {
      await run('ip', ['route', 'add', 'unreachable', this.cidr, 'metric', '4000']);
    } catch (err) {
      if (!/File exists/.test(String((err as { stderr?: string }).stderr ?? err))) throw err; // another kubelet was first
    }
  }

  /** Drops this holder; removes the route when no other live holder is left. */
  async release(): Promise<void> {
    if (!(await this.holders.release())) return;
    await run('ip', ['route', 'del', 'unreachable', this.cidr, 'metric', '4000']).catch(() => undefined);
  }
}
