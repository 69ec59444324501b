import type { ConfigMap } from '../../shared/api/core';
import { StorageError } from '../storage/errors';
import { MemoryStorage } from '../storage/memory';
import { Store } from './store';
import { deploymentStrategy } from './apps/deployments';
import { replicaSetStrategy } from './apps/replicasets';
import { configMapStrategy } from './core/configmaps';

const KEY = '/registry/core/configmaps/default/held';

/** A configmap marked for deletion and kept by a finalizer: removing the finalizer finishes the delete. */
async function heldConfigMap(): Promise<{ storage: MemoryStorage; store: Store }> {
  const storage = new MemoryStorage();
  const store = new Store(storage, configMapStrategy);
  await store.create('default', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  await store.delete('default', 'held');
  return { storage, store };
}

const releaseFinalizer = (store: Store) =>
  store.guaranteedUpdate('default', 'held', (cm) => ({ ...cm, metadata: { ...cm.metadata, finalizers: [] } }));

describe('Store: finishing a delete once nothing holds the object', () => {
  afterEach(() => jest.restoreAllMocks());

  it('deletes the object when its last finalizer goes', async () => {
    const { storage, store } = await heldConfigMap();
    const result = (await releaseFinalizer(store)) as ConfigMap;
    expect(result.metadata.deletionTimestamp).toBeDefined();
    expect(await storage.get(KEY)).toBeUndefined();
  });

  it('treats an object someone else deleted or replaced as finished', async () => {
    for (const err of [new StorageError('KeyNotFound', KEY), new StorageError('Conflict', KEY, { detail: 'Precondition failed' })]) {
      const { storage, store } = await heldConfigMap();
      jest.spyOn(storage, 'delete').mockRejectedValueOnce(err);
      await expect(releaseFinalizer(store)).resolves.toMatchObject({ metadata: { name: 'held' } });
    }
  });

  it('answers 503 when etcd fails while finishing, instead of hiding the outage', async () => {
    const { storage, store } = await heldConfigMap();
    jest.spyOn(storage, 'delete').mockRejectedValueOnce(new StorageError('Unavailable', KEY, { detail: 'connection refused' }));
    await expect(releaseFinalizer(store)).rejects.toMatchObject({
      status: { code: 503, reason: 'ServiceUnavailable', message: 'etcd is unavailable: connection refused' },
    });
  });

  it('answers with the error of a release that failed after the delete (a cluster IP, a node port)', async () => {
    const storage = new MemoryStorage();
    const afterDelete = jest.fn().mockRejectedValue(new StorageError('Unavailable', '/registry/ranges/serviceips/10.96.0.9'));
    const store = new Store(storage, { ...configMapStrategy, afterDelete });
    await store.create('default', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await store.delete('default', 'held');
    await expect(releaseFinalizer(store)).rejects.toMatchObject({ status: { code: 503 } });
    expect(afterDelete).toHaveBeenCalledTimes(1);
  });
});

describe('Store: metadata.generation, as each strategy decides', () => {
  const rs = (replicas: number, labels: Record<string, string> = {}) => ({
    metadata: { name: 'web', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  });

  it('gives kinds without one no generation, even when the client sends one', async () => {
    const store = new Store(new MemoryStorage(), configMapStrategy);
    const created = await store.create('default', { metadata: { name: 'cm', generation: 7 }, data: { a: '1' } });
    expect(created.metadata.generation).toBeUndefined();
    const updated = await store.guaranteedUpdate('default', 'cm', (cm) => ({ ...cm, data: { a: '2' } }));
    expect(updated.metadata.generation).toBeUndefined();
  });

  it('starts a ReplicaSet at 1 and bumps it on spec changes only', async () => {
    const store = new Store(new MemoryStorage(), replicaSetStrategy);
    expect((await store.create('default', rs(1))).metadata.generation).toBe(1);
    expect((await store.update('default', 'web', rs(1, { tier: 'web' }))).metadata.generation).toBe(1);
    expect((await store.update('default', 'web', rs(3, { tier: 'web' }))).metadata.generation).toBe(2);
  });

  it('bumps a Deployment on annotation changes too, as upstream does', async () => {
    const store = new Store(new MemoryStorage(), deploymentStrategy);
    await store.create('default', rs(1));
    const annotated = { ...rs(1), metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'x' } } };
    expect((await store.update('default', 'web', annotated)).metadata.generation).toBe(2);
  });
});
