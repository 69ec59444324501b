// ServiceLB (as k3s does it, without a cloud): a LoadBalancer Service gets the InternalIPs of the Ready
// nodes as its ingress, and kube-proxy serves its port on them.
import type { Node, Service } from '../../shared/api/core';
import { objectKey, splitKey } from '../../shared/api/meta';
import { Nodes, Services } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

/** The ingress of LoadBalancer Services: each Ready node's InternalIP, once. */
export function ingressFor(nodes: Node[]): { ip: string }[] {
  const ips = nodes
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address)
    .filter((ip): ip is string => !!ip);
  return [...new Set(ips)].sort().map((ip) => ({ ip }));
}

export class ServiceLBController implements Controller {
  readonly name = 'service-lb';
  readonly queue: RateLimitingQueue;
  private readonly services: Lister<Service>;
  private readonly nodes: Lister<Node>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'service' });
    const svc = informers.informerFor<Service>(Services);
    const nodes = informers.informerFor<Node>(Nodes);
    this.services = svc.lister;
    this.nodes = nodes.lister;
    const enqueue = (s: Service) => {
      if (s.spec.type === 'LoadBalancer') this.queue.add(objectKey(s));
    };
    svc.addEventHandler({ add: enqueue, update: (_o, s) => enqueue(s) });
    const all = () => this.services.list().forEach(enqueue);
    nodes.addEventHandler({ add: all, update: all, delete: all });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc || svc.spec.type !== 'LoadBalancer') return;
    const ingress = ingressFor(this.nodes.list());
    if (semanticallyEqual(svc.status?.loadBalancer?.ingress ?? [], ingress)) return;
    try {
      await this.client.resource<Service>(Services).updateStatus({ ...svc, status: { ...svc.status, loadBalancer: { ingress } } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
