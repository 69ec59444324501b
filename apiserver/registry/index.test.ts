import { RESOURCES } from '../../shared/api/resources';
import { MemoryStorage } from '../storage/memory';
import { NamespaceLister } from './core/namespaces';
import { buildStores } from './index';
import { Namespaces } from '../../shared/api/resources';

describe('buildStores', () => {
  it('serves every resource of shared/api/resources.ts with its own strategy', () => {
    const storage = new MemoryStorage();
    const config = { serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', eventTTLSeconds: 3600 };
    const stores = buildStores(storage, storage, config, new NamespaceLister(() => stores.of(Namespaces)));
    expect([...stores.values()].map((s) => s.strategy.resource)).toEqual(RESOURCES);
  });
});
