import type { ConfigMap } from '../../shared/api/core';
import { ConfigMaps } from '../../shared/api/resources';
import { Informer } from '../../shared/informer';
import { newLogger } from '../../shared/log';
import { MemoryStorage } from '../storage/memory';
import { storeListerWatcher } from './listerwatcher';
import { Store } from './store';
import { configMapStrategy } from './core/configmaps';

const silent = newLogger('test').child({}, { level: 'silent' });

/** Resolves once `condition` holds, checking after every turn of the event loop (no fixed sleeps). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  expect(condition()).toBe(true);
}

describe('an Informer over a Store (the apiserver’s own caches)', () => {
  let informer: Informer<ConfigMap> | undefined;
  let store: Store | undefined;
  afterEach(() => {
    informer?.stop();
    store?.close();
  });

  it('lists what exists, then follows creates, updates and deletes in-process', async () => {
    store = new Store(new MemoryStorage(), configMapStrategy);
    await store.create('default', { metadata: { name: 'before' } });
    informer = new Informer<ConfigMap>(storeListerWatcher(store), ConfigMaps, { logger: silent });
    informer.run();
    await informer.waitForSync();
    expect(informer.lister.get('default', 'before')?.kind).toBe('ConfigMap');

    await store.create('default', { metadata: { name: 'after' }, data: { v: '1' } } as ConfigMap);
    await until(() => informer!.lister.get('default', 'after') !== undefined);
    await store.guaranteedUpdate('default', 'after', (cm) => ({ ...cm, data: { v: '2' } }));
    await until(() => informer!.lister.get('default', 'after')?.data?.v === '2');
    await store.delete('default', 'before');
    await until(() => informer!.lister.get('default', 'before') === undefined);
  });

  it('lists and watches with the label selector it was given', async () => {
    store = new Store(new MemoryStorage(), configMapStrategy);
    informer = new Informer<ConfigMap>(storeListerWatcher(store), ConfigMaps, { logger: silent, labelSelector: 'app=web' });
    informer.run();
    await informer.waitForSync();
    await store.create('default', { metadata: { name: 'other', labels: { app: 'db' } } });
    await store.create('default', { metadata: { name: 'web', labels: { app: 'web' } } });
    await until(() => informer!.lister.get('default', 'web') !== undefined);
    expect(informer.lister.list().map((c) => c.metadata.name)).toEqual(['web']);
  });
});

describe('storeListerWatcher.list', () => {
  it('pages like the HTTP list, so the informer’s pager reads the store 500 at a time', async () => {
    const store = new Store(new MemoryStorage(), configMapStrategy);
    for (let i = 0; i < 3; i++) await store.create('default', { metadata: { name: `cm-${i}` } });
    const lw = storeListerWatcher<ConfigMap>(store);
    const first = await lw.list('default', { limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await lw.list('default', { limit: 2, continue: first.metadata.continue });
    expect(rest.items.map((c) => c.metadata.name)).toEqual(['cm-2']);
    expect(rest.metadata.continue).toBeUndefined();
    store.close();
  });
});
