// The garbage collector: objects whose owners are all gone are deleted; an owner being deleted in the
// foreground waits for its dependents (foregroundDeletion finalizer); one deleted with
// propagationPolicy=Orphan first frees its dependents (orphan finalizer). Besides the built-in kinds of
// GC_RESOURCES it monitors every custom resource while its CRD is established (upstream's GraphBuilder
// syncs its monitors with discovery), so the children an operator gives a custom resource go with it.
import type { CustomResourceDefinition } from '../../shared/api/apiextensions';
import { servedResourceOf } from '../../shared/api/apiextensions';
import type { KubeObject, OwnerReference } from '../../shared/api/meta';
import {
  ConfigMaps,
  CronJobs,
  CustomResourceDefinitions,
  ControllerRevisions,
  DaemonSets,
  Deployments,
  EndpointSlices,
  HorizontalPodAutoscalers,
  Jobs,
  PersistentVolumeClaims,
  Pods,
  ReplicaSets,
  ReplicationControllers,
  resourceForKind,
  ResourceInfo,
  resourcePath,
  Secrets,
  Services,
  StatefulSets,
} from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { isConflict, isNotFound } from '../../shared/errors';
import type { Informer, SharedInformerFactory } from '../../shared/informer';
import { indexByOwnerUid } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

/** The kinds whose objects own or are owned by others here. */
export const GC_RESOURCES: ResourceInfo[] = [
  CronJobs,
  Jobs,
  Deployments,
  ReplicaSets,
  ReplicationControllers,
  DaemonSets,
  StatefulSets,
  ControllerRevisions,
  Pods,
  Services,
  EndpointSlices,
  ConfigMaps,
  Secrets,
  HorizontalPodAutoscalers,
  PersistentVolumeClaims,
];

const keyOf = (r: ResourceInfo, obj: KubeObject) => `${r.group}/${r.plural}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly queue: RateLimitingQueue;
  private readonly informers = new Map<string, { resource: ResourceInfo; informer: Informer<KubeObject>; crd?: string }>();

  constructor(
    private readonly factory: SharedInformerFactory,
    private readonly client: Client,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'garbage_collector_attempt_to_delete' });
    for (const resource of GC_RESOURCES) this.monitor(resource, factory.informerFor<KubeObject>(resource));
    const crds = factory.informerFor<CustomResourceDefinition>(CustomResourceDefinitions);
    crds.addEventHandler({
      add: (crd) => this.syncMonitor(crd),
      update: (_old, crd) => this.syncMonitor(crd),
      delete: (crd) => this.stopMonitor(crd.metadata.name!),
    });
  }

  private monitor(resource: ResourceInfo, informer: Informer<KubeObject>, crd?: string): void {
    informer.addIndexer('owner', indexByOwnerUid);
    informer.addIndexer('uid', (o) => (o.metadata.uid ? [o.metadata.uid] : []));
    this.informers.set(`${resource.group}/${resource.plural}`, { resource, informer, crd });
    const changed = (obj: KubeObject) => {
      if (obj.metadata.ownerReferences?.length || obj.metadata.deletionTimestamp) this.queue.add(keyOf(resource, obj));
    };
    informer.addEventHandler({
      add: changed,
      update: (_old, obj) => changed(obj),
      // An owner went away: its dependents may be garbage now.
      delete: (obj) => this.dependents(obj.metadata.uid!).forEach(({ resource: r, obj: d }) => this.queue.add(keyOf(r, d))),
    });
  }

  /** Monitors the resource an established CRD serves (its storage version: every version sees the same objects). */
  private syncMonitor(crd: CustomResourceDefinition): void {
    const resource = servedResourceOf(crd);
    if (!resource) return this.stopMonitor(crd.metadata.name!);
    const existing = this.informers.get(`${resource.group}/${resource.plural}`);
    if (existing && existing.crd === crd.metadata.name && existing.resource.version === resource.version) return;
    this.stopMonitor(crd.metadata.name!);
    const informer = this.factory.newInformer<KubeObject>(resource);
    this.monitor(resource, informer, crd.metadata.name);
    informer.run();
  }

  private stopMonitor(crdName: string): void {
    for (const [key, entry] of this.informers) {
      if (entry.crd !== crdName) continue;
      entry.informer.stop();
      this.informers.delete(key);
    }
  }

  /** The resource an owner reference names: a built-in kind, or a monitored custom resource of its group. */
  private resourceOf(ref: OwnerReference): ResourceInfo | undefined {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
    for (const { resource } of this.informers.values()) if (resource.group === group && resource.kind === ref.kind) return resource;
    return resourceForKind(ref.kind);
  }

  private dependents(uid: string): { resource: ResourceInfo; obj: KubeObject }[] {
    return [...this.informers.values()].flatMap(({ resource, informer }) =>
      informer.lister.byIndex('owner', uid).map((obj) => ({ resource, obj })),
    );
  }

  /** Whether an owner still exists: asked of the API, not the cache, which may lag behind. */
  private async ownerExists(namespace: string | undefined, ref: OwnerReference): Promise<boolean> {
    const resource = this.resourceOf(ref);
    if (!resource) return true; // an owner of a kind we do not know: leave the dependent alone
    try {
      const owner = await this.client.request<KubeObject>(
        'GET',
        resourcePath(resource, resource.namespaced ? namespace : undefined, ref.name),
      );
      return owner.metadata.uid === ref.uid;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async deleteObject(
    resource: ResourceInfo,
    obj: KubeObject,
    propagationPolicy: 'Background' | 'Foreground' = 'Background',
  ): Promise<void> {
    try {
      await this.client.request('DELETE', resourcePath(resource, obj.metadata.namespace, obj.metadata.name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy, preconditions: { uid: obj.metadata.uid } },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async removeFinalizer(resource: ResourceInfo, obj: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.client
      .request('PATCH', resourcePath(resource, obj.metadata.namespace, obj.metadata.name), {
        body: { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
        contentType: 'application/merge-patch+json',
      })
      .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  }

  async sync(key: string): Promise<void> {
    const [group, plural, namespace, ...rest] = key.split('/');
    const entry = this.informers.get(`${group}/${plural}`);
    if (!entry) return;
    const name = rest.join('/');
    const obj = entry.informer.lister.get(namespace || undefined, name);
    if (!obj) return;
    const { resource } = entry;
    const finalizers = obj.metadata.finalizers ?? [];

    if (obj.metadata.deletionTimestamp && finalizers.includes('orphan')) {
      for (const { resource: r, obj: d } of this.dependents(obj.metadata.uid!)) {
        const ownerReferences = (d.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== obj.metadata.uid);
        await this.client
          .request('PATCH', resourcePath(r, d.metadata.namespace, d.metadata.name), {
            body: { metadata: { ownerReferences } },
            contentType: 'application/merge-patch+json',
          })
          .catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      }
      await this.removeFinalizer(resource, obj, 'orphan');
      return;
    }
    if (obj.metadata.deletionTimestamp && finalizers.includes('foregroundDeletion')) {
      const dependents = this.dependents(obj.metadata.uid!);
      if (dependents.length) {
        for (const { resource: r, obj: d } of dependents) if (!d.metadata.deletionTimestamp) await this.deleteObject(r, d, 'Foreground');
        this.queue.addAfter(key, 1000);
        return;
      }
      await this.removeFinalizer(resource, obj, 'foregroundDeletion');
      return;
    }
    const owners = obj.metadata.ownerReferences ?? [];
    if (!owners.length || obj.metadata.deletionTimestamp) return;
    for (const ref of owners) if (await this.ownerExists(obj.metadata.namespace, ref)) return;
    await this.deleteObject(resource, obj);
  }
}
