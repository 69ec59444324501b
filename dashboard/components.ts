// The control plane's health as the Cluster view shows it: the apiserver's /readyz, and for the scheduler
// and the controller-manager the Lease their leader keeps renewing (kube-system/kube-scheduler,
// kube-system/kube-controller-manager): healthy while the holder renewed within the lease's duration.
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import type { DashboardState } from './state';
import type { ComponentView } from './views';

const LEADER_LEASES = ['kube-scheduler', 'kube-controller-manager'];

/** A leader-elected component's health from its Lease (the state's view of it) at `now`. */
export function leaseHealth(state: DashboardState, name: string, now: number): ComponentView {
  const lease = state.get('leases', `kube-system/${name}`);
  if (!lease) return { key: name, name, healthy: false, message: `no Lease kube-system/${name}: not running, or not leader-elected` };
  if (!lease.holder) return { key: name, name, healthy: false, message: 'no instance holds the lease' };
  const renewed = Date.parse(lease.renewTime ?? '');
  const age = Math.round((now - renewed) / 1000);
  const fresh = Number.isFinite(renewed) && now - renewed <= (lease.durationSeconds ?? 15) * 1000;
  return {
    key: name,
    name,
    healthy: fresh,
    message: fresh
      ? `leader ${lease.holder}, renewed ${age}s ago`
      : `leader ${lease.holder} has not renewed for ${age}s (lease ${lease.durationSeconds ?? 15}s): stopped or cut off?`,
  };
}

export class ComponentHealth {
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly state: DashboardState,
    private readonly clock: Clock,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  private put(view: ComponentView): void {
    const old = this.state.get('components', view.key);
    if (old?.healthy !== view.healthy || old.message !== view.message) this.state.put('components', view);
  }

  async check(): Promise<void> {
    const readyz = await this.readyz();
    this.put({ key: 'kube-apiserver', name: 'kube-apiserver', ...readyz });
    for (const name of LEADER_LEASES) this.put(leaseHealth(this.state, name, this.clock.now()));
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.check(), this.intervalMs);
  }

  private async readyz(): Promise<{ healthy: boolean; message: string }> {
    try {
      const res = await this.client.stream('GET', '/readyz', { accept: 'text/plain', timeoutMs: 5000 });
      let body = '';
      for await (const chunk of res) body += String(chunk);
      return { healthy: true, message: `/readyz: ${body.trim()}` };
    } catch (err) {
      return { healthy: false, message: `/readyz: ${(err as Error).message}` };
    }
  }
}
