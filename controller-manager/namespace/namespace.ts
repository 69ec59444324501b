// The namespace controller: a namespace being deleted is emptied (every namespaced object deleted, custom
// resources too: those of every established CRD, read at each pass as upstream reads discovery), then
// released by clearing its `kubernetes` finalizer through the finalize subresource.
import type { Namespace } from '../../shared/api/core';
import type { KubeList } from '../../shared/api/meta';
import type { CustomResourceDefinition } from '../../shared/api/apiextensions';
import { servedResourceOf } from '../../shared/api/apiextensions';
import { CustomResourceDefinitions, Namespaces, RESOURCES, resourcePath } from '../../shared/api/resources';
import type { ResourceInfo } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

const RECHECK_MS = 1000;

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly queue: RateLimitingQueue;
  private readonly namespaces: Lister<Namespace>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'namespace' });
    const informer = informers.informerFor<Namespace>(Namespaces);
    this.namespaces = informer.lister;
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    informer.addEventHandler({ add: enqueue, update: (_o, ns) => enqueue(ns) });
  }

  async sync(name: string): Promise<void> {
    const ns = this.namespaces.get(undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    const crds = await this.client.request<KubeList<CustomResourceDefinition>>('GET', resourcePath(CustomResourceDefinitions));
    const custom = crds.items.map(servedResourceOf).filter((r): r is ResourceInfo => !!r);
    for (const resource of [...RESOURCES, ...custom].filter((r) => r.namespaced)) {
      const list = await this.client.request<KubeList>('GET', resourcePath(resource, name));
      remaining += list.items.length;
      if (list.items.some((o) => !o.metadata.deletionTimestamp)) {
        await this.client.request('DELETE', resourcePath(resource, name), {
          body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
        });
      }
    }
    if (remaining > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    try {
      await this.client.request('PUT', resourcePath(Namespaces, undefined, name, 'finalize'), {
        body: { ...ns, spec: { finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes') } },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
