// The controllers apiextensions-apiserver runs inside the apiserver, over the CRD informer and one work queue:
//   - naming and establishing (./naming.ts): status.acceptedNames, NamesAccepted and Established, after which
//     the resource is served (./customresources.ts);
//   - the finalizer controller (customresourcecleanup): a CRD being deleted is Terminating, its objects are
//     deleted, and only then is its finalizer removed, so deleting a CRD deletes what it defined.
// Every apiserver replica runs them; their writes are compare-and-swaps of the CRD's status or finalizers.
import type { CustomResourceDefinition } from '../../shared/api/apiextensions';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER } from '../../shared/api/apiextensions';
import { rfc3339 } from '../../shared/api/meta';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { RateLimitingQueue, runWorkers } from '../../shared/workqueue';
import { everything } from '../registry/selection';
import { Store } from '../registry/store';
import type { Storage } from '../storage/interface';
import { customResourceVersion } from './customresource';
import type { CustomResources } from './customresources';
import { decideNames, setCondition } from './naming';

/** How soon a CRD whose objects are still going (finalizers of their own) is looked at again. */
const CLEANUP_RECHECK_MS = 1000;

export class CustomResourceDefinitionController {
  private readonly queue = new RateLimitingQueue({ name: 'crd_controller' });

  constructor(
    private readonly crds: CustomResources,
    private readonly crdStore: Store,
    private readonly storage: Storage,
    private readonly log: Logger,
  ) {
    const enqueue = (crd: CustomResourceDefinition) => this.queue.add(crd.metadata.name!);
    crds.informer.addEventHandler({
      add: enqueue,
      update: (old, crd) => {
        enqueue(crd);
        // A CRD whose names changed may free names another CRD of its group is waiting for.
        if (!semanticallyEqual(old.status?.acceptedNames, crd.status?.acceptedNames)) this.enqueueGroup(crd.spec.group);
      },
      delete: (crd) => this.enqueueGroup(crd.spec.group),
    });
  }

  private enqueueGroup(group: string): void {
    for (const c of this.crds.informer.lister.list()) if (c.spec.group === group) this.queue.add(c.metadata.name!);
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.crds.informer.waitForSync(signal);
    await runWorkers(this.queue, 1, (key) => this.sync(key), this.log);
  }

  async sync(name: string): Promise<void> {
    const crd = this.crds.informer.lister.get(undefined, name);
    if (!crd) return;
    if (crd.metadata.deletionTimestamp) {
      if (crd.metadata.finalizers?.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) await this.cleanup(crd);
      return;
    }
    const decision = decideNames(crd, this.crds.informer.lister.list());
    const next = structuredClone(crd);
    const now = rfc3339();
    next.status ??= {};
    next.status.acceptedNames = decision.acceptedNames;
    for (const c of decision.conditions) setCondition(next, c, now);
    if (semanticallyEqual(next.status, crd.status)) return;
    await this.updateStatus(name, (current) => {
      current.status = { ...current.status, acceptedNames: decision.acceptedNames };
      for (const c of decision.conditions) setCondition(current, c, now);
    });
  }

  private async updateStatus(name: string, mutate: (crd: CustomResourceDefinition) => void): Promise<void> {
    try {
      await this.crdStore.guaranteedUpdate(
        undefined,
        name,
        (current) => {
          mutate(current as CustomResourceDefinition);
          return current;
        },
        'status',
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The finalizer controller: delete every object of the resource, then let the CRD go. */
  private async cleanup(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    const now = rfc3339();
    await this.updateStatus(name, (c) =>
      setCondition(
        c,
        { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' },
        now,
      ),
    );
    const storageVersion = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
    // Objects are stored under one key prefix whatever their version: a store of the storage version reaches all.
    const store = new Store(this.storage, customResourceVersion(crd, storageVersion).strategy);
    try {
      const { items } = await store.list(undefined, everything);
      for (const item of items) {
        try {
          await store.delete(item.metadata.namespace, item.metadata.name!, {});
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      const { items: left } = await store.list(undefined, everything);
      if (left.length) {
        this.log.info({ crd: name, remaining: left.length }, 'waiting for custom resources to be deleted');
        await this.updateStatus(name, (c) =>
          setCondition(
            c,
            {
              type: 'Terminating',
              status: 'True',
              reason: 'InstanceDeletionPending',
              message: `CustomResource deletion is in progress: ${left.length} instances remaining`,
            },
            now,
          ),
        );
        this.queue.addAfter(name, CLEANUP_RECHECK_MS);
        return;
      }
    } finally {
      store.close();
    }
    await this.updateStatus(name, (c) =>
      setCondition(c, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, now),
    );
    try {
      await this.crdStore.guaranteedUpdate(undefined, name, (current) => {
        current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER);
        return current;
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
