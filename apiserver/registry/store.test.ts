import type { ConfigMap } from '../../shared/api/core';
import { ConfigMaps } from '../../shared/api/resources';
import { StorageError } from '../storage/errors';
import { MemoryStorage } from '../storage/memory';
import { Store } from './store';

const KEY = '/registry/core/configmaps/default/held';

/** A configmap marked for deletion and kept by a finalizer: removing the finalizer finishes the delete. */
async function heldConfigMap(): Promise<{ storage: MemoryStorage; store: Store }> {
  const storage = new MemoryStorage();
  const store = new Store(storage, { resource: ConfigMaps });
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
    const store = new Store(storage, { resource: ConfigMaps, afterDelete });
    await store.create('default', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await store.delete('default', 'held');
    await expect(releaseFinalizer(store)).rejects.toMatchObject({ status: { code: 503 } });
    expect(afterDelete).toHaveBeenCalledTimes(1);
  });
});
