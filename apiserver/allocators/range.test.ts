import { MemoryStorage } from '../storage/memory';
import { RangeAllocator } from './range';

const ports = (storage: MemoryStorage) => new RangeAllocator(storage, 'ports', 3, (i) => String(30000 + i));

describe('RangeAllocator', () => {
  it('gives an item to one owner: again to the same owner, never to another', async () => {
    const storage = new MemoryStorage();
    const allocator = ports(storage);
    expect(await allocator.allocate('30001', 'default/a')).toBe(true);
    expect(await allocator.allocate('30001', 'default/a')).toBe(true);
    expect(await allocator.allocate('30001', 'default/b')).toBe(false);
  });

  it('hands out every free item once, then reports the range full, and reuses a released item', async () => {
    const allocator = ports(new MemoryStorage());
    await allocator.allocate('30000', 'default/a');
    const next = [await allocator.allocateNext('default/b'), await allocator.allocateNext('default/c')];
    expect(next.sort()).toEqual(['30001', '30002']);
    expect(await allocator.allocateNext('default/d')).toBeUndefined();
    await allocator.release('30001');
    expect(await allocator.allocateNext('default/d')).toBe('30001');
  });
});
