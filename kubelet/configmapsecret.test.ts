// The cache-based ConfigMap/Secret manager: fresh reads for container starts, at most one read per TTL
// for volume re-syncs, nothing cached for an object that does not exist.
import type { ConfigMap } from '../shared/api/core';
import { FakeClock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { OBJECT_CACHE_TTL_MS, ObjectManager } from './configmapsecret';

function setUp() {
  const clock = new FakeClock(0);
  const stored = new Map<string, ConfigMap>();
  const reads: string[] = [];
  const manager = new ObjectManager<ConfigMap>(
    {
      get: async (ns, name) => {
        reads.push(`${ns}/${name}`);
        return stored.get(name!) ?? Promise.reject(notFound('configmaps', name!));
      },
    },
    clock,
  );
  const put = (name: string, value: string) => stored.set(name, { metadata: { name }, data: { v: value } });
  return { clock, manager, reads, put };
}

describe('ObjectManager', () => {
  it('reads again once the object it holds is older than the age asked for', async () => {
    const { clock, manager, reads, put } = setUp();
    put('app', '1');
    expect((await manager.get('default', 'app', OBJECT_CACHE_TTL_MS))?.data).toEqual({ v: '1' });
    put('app', '2');
    clock.step(OBJECT_CACHE_TTL_MS - 1);
    expect((await manager.get('default', 'app', OBJECT_CACHE_TTL_MS))?.data).toEqual({ v: '1' });
    expect(reads).toHaveLength(1);
    clock.step(1);
    expect((await manager.get('default', 'app', OBJECT_CACHE_TTL_MS))?.data).toEqual({ v: '2' });
    expect(reads).toHaveLength(2);
  });

  it('reads fresh when no age is allowed (a container about to start), and refreshes the cache', async () => {
    const { manager, reads, put } = setUp();
    put('app', '1');
    await manager.get('default', 'app', OBJECT_CACHE_TTL_MS);
    put('app', '2');
    expect((await manager.get('default', 'app'))?.data).toEqual({ v: '2' });
    expect((await manager.get('default', 'app', OBJECT_CACHE_TTL_MS))?.data).toEqual({ v: '2' });
    expect(reads).toHaveLength(2);
  });

  it('does not cache a missing object, nor keep one that was deleted', async () => {
    const { manager, reads, put } = setUp();
    expect(await manager.get('default', 'late', OBJECT_CACHE_TTL_MS)).toBeUndefined();
    put('late', '1');
    expect((await manager.get('default', 'late', OBJECT_CACHE_TTL_MS))?.data).toEqual({ v: '1' });
    expect(reads).toEqual(['default/late', 'default/late']);
  });
});
