// What kube-proxy adds to the host, through iproute2: the `kube-ipvs0` interface holding every
// ClusterIP (as IPVS mode does, so listeners can bind to them), and an `unreachable` route for the service
// range so a packet to an unassigned ClusterIP never leaves the machine. A restart finds and reuses both;
// a clean stop removes both.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ip = async (...args: string[]) => (await run('ip', args)).stdout;

export const DUMMY_INTERFACE = 'kube-ipvs0';

export class HostNetwork {
  private readonly addresses = new Set<string>();

  constructor(private readonly serviceCIDR: string) {}

  async setUp(): Promise<void> {
    if (!(await ip('-o', 'link', 'show', DUMMY_INTERFACE).catch(() => ''))) {
      // A dummy interface, or, on kernels without the dummy module, a bridge with no ports: either way
      // only a place for local addresses.
      await ip('link', 'add', DUMMY_INTERFACE, 'type', 'dummy')
        .catch((err) =>
          /Unknown device type/.test(String(err)) ? ip('link', 'add', DUMMY_INTERFACE, 'type', 'bridge') : Promise.reject(err),
        )
        .catch((err) => {
          if (!/File exists/.test(String(err))) throw err;
        });
    }
    await ip('link', 'set', DUMMY_INTERFACE, 'up');
    const existing = await ip('-o', '-4', 'addr', 'show', 'dev', DUMMY_INTERFACE);
    for (const m of existing.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/32/g)) this.addresses.add(m[1]);
    if (!(await ip('route', 'show', 'type', 'unreachable', this.serviceCIDR)).trim()) {
      await ip('route', 'add', 'unreachable', this.serviceCIDR, 'metric', '4000').catch((err) => {
        if (!/File exists/.test(String(err))) throw err;
      });
    }
  }

  /** Makes the interface hold exactly `wanted` (ClusterIPs). */
  async syncAddresses(wanted: Set<string>): Promise<void> {
    for (const addr of wanted) {
      if (this.addresses.has(addr)) continue;
      await ip('addr', 'add', `${addr}/32`, 'dev', DUMMY_INTERFACE).catch((err) => {
        if (!/File exists/.test(String(err))) throw err;
      });
      this.addresses.add(addr);
    }
    for (const addr of [...this.addresses]) {
      if (wanted.has(addr)) continue;
      await ip('addr', 'del', `${addr}/32`, 'dev', DUMMY_INTERFACE).catch(() => undefined);
      this.addresses.delete(addr);
    }
  }

  async tearDown(): Promise<void> {
    await ip('link', 'del', DUMMY_INTERFACE).catch(() => undefined);
    await ip('route', 'del', 'unreachable', this.serviceCIDR, 'metric', '4000').catch(() => undefined);
  }
}
