// The iptables Proxier (--proxy-mode=iptables): the kernel forwards Service traffic itself, so no byte
// passes through this process. Each sync writes the whole set of KUBE-* chains with one
// `iptables-restore --noflush` (a restart rewrites them, never duplicates them); a clean stop removes them.
// ClusterIPs stay on kube-ipvs0 so connections made on this host have a route to them.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Endpoints, Service } from '../shared/api/core';
import type { Lister, SharedInformerFactory } from '../shared/informer';
import type { Logger } from '../shared/log';
import { chainsIn, cleanupRules, filterRules, JUMPS, natRules } from './iptables';
import type { HostNetwork } from './netlink';
import { SyncRunner, syncOnServiceChanges } from './syncrunner';

const run = promisify(execFile);

async function restore(text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('iptables-restore', ['--noflush', '--wait'], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(text);
  });
}

const existingChains = async (table: string) => chainsIn((await run('iptables-save', ['-t', table])).stdout);

export class IptablesProxier {
  private readonly services: Lister<Service>;
  private readonly endpoints: Lister<Endpoints>;
  private readonly runner: SyncRunner;

  constructor(
    informers: SharedInformerFactory,
    private readonly host: HostNetwork,
    private readonly nodeAddresses: string[],
    private readonly clusterCIDR: string,
    private readonly servesExternalIP: (ip: string) => boolean,
    private readonly log: Logger,
  ) {
    this.runner = new SyncRunner(() => this.syncProxyRules(), log);
    ({ services: this.services, endpoints: this.endpoints } = syncOnServiceChanges(informers, this.runner));
  }

  /** route_localnet lets 127.0.0.1 be DNATed to a pod (KUBE-FIREWALL keeps it from other machines). */
  async setUp(): Promise<void> {
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1');
    await restore(filterRules());
    await restore(natRules({ ...this.input(), services: [] }));
    for (const j of JUMPS) {
      const exists = await run('iptables', ['--wait', '-t', j.table, '-C', j.chain, ...j.rule]).then(
        () => true,
        () => false,
      );
      if (!exists) await run('iptables', ['--wait', '-t', j.table, '-I', j.chain, '1', ...j.rule]);
    }
  }

  /** Coalesces bursts of changes into one sync at a time. */
  requestSync(): void {
    this.runner.request();
  }

  async syncProxyRules(): Promise<void> {
    const services = this.services.list();
    const clusterIPs = services
      .filter((s) => s.spec.type !== 'ExternalName' && s.spec.clusterIP && s.spec.clusterIP !== 'None')
      .map((s) => s.spec.clusterIP!);
    await this.host.syncAddresses(new Set(clusterIPs));
    await restore(natRules({ ...this.input(), services, existingChains: await existingChains('nat') }));
  }

  /** Removes the jumps, then every KUBE-* chain: the host's tables are as before this proxier. */
  async tearDown(): Promise<void> {
    await this.runner.idle();
    for (const j of JUMPS) await run('iptables', ['--wait', '-t', j.table, '-D', j.chain, ...j.rule]).catch(() => undefined);
    for (const table of ['nat', 'filter'] as const) await restore(cleanupRules(table, await existingChains(table)));
  }

  private input() {
    return {
      services: [] as Service[],
      endpoints: (ns: string, name: string) => this.endpoints.get(ns, name),
      nodePortAddresses: this.nodeAddresses,
      clusterCIDR: this.clusterCIDR,
      servesExternalIP: this.servesExternalIP,
      existingChains: [] as string[],
    };
  }
}
