// How both proxiers (userspace and iptables) follow the API: every change to a Service or its Endpoints
// asks for a sync; one sync runs at a time, and the requests made while it runs become a single next
// one (the part of client-go's BoundedFrequencyRunner that Kubernetes' proxiers rely on).
import type { Endpoints, Service } from '../shared/api/core';
import { EndpointsResource, Services } from '../shared/api/resources';
import type { Lister, SharedInformerFactory } from '../shared/informer';
import type { Logger } from '../shared/log';

export class SyncRunner {
  private running = Promise.resolve();
  private pending = false;

  constructor(
    private readonly sync: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Coalesces bursts of changes into one sync at a time. */
  request(): void {
    if (this.pending) return;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      try {
        await this.sync();
      } catch (err) {
        this.log.warn({ err }, 'sync failed');
      }
    });
  }

  /** Resolves once the syncs requested so far have run. */
  idle(): Promise<void> {
    return this.running;
  }
}

/** The Services and Endpoints listers, with a sync requested from `runner` on every change to either. */
export function syncOnServiceChanges(
  informers: SharedInformerFactory,
  runner: SyncRunner,
): { services: Lister<Service>; endpoints: Lister<Endpoints> } {
  const svc = informers.informerFor<Service>(Services);
  const ep = informers.informerFor<Endpoints>(EndpointsResource);
  const changed = () => runner.request();
  svc.addEventHandler({ add: changed, update: changed, delete: changed });
  ep.addEventHandler({ add: changed, update: changed, delete: changed });
  return { services: svc.lister, endpoints: ep.lister };
}
