// A range allocator backed by the store: one key per allocated item (`/registry/ranges/<range>/<item>`),
// created with a create-if-absent transaction, so concurrent apiservers and requests never hand out the
// same item twice. The value is the owner (`namespace/name` of the Service).
import type { AllocationStorage } from '../storage/interface';

export class RangeAllocator {
  constructor(
    private readonly storage: AllocationStorage,
    private readonly name: string,
    private readonly size: number,
    private readonly itemAt: (offset: number) => string,
  ) {}

  private key(item: string): string {
    return `/registry/ranges/${this.name}/${item}`;
  }

  /** Reserves `item` for `owner`; true when it is now (or already was) the owner's. */
  async allocate(item: string, owner: string): Promise<boolean> {
    if (await this.storage.reserve(this.key(item), owner)) return true;
    return (await this.storage.ownerOf(this.key(item))) === owner;
  }

  /** Reserves the first free item from a random starting point; undefined when the range is full. */
  async allocateNext(owner: string, skip: (item: string) => boolean = () => false): Promise<string | undefined> {
    const used = await this.storage.allocated(`/registry/ranges/${this.name}/`);
    const start = Math.floor(Math.random() * this.size);
    for (let i = 0; i < this.size; i++) {
      const item = this.itemAt((start + i) % this.size);
      if (skip(item) || used.has(this.key(item))) continue;
      if (await this.storage.reserve(this.key(item), owner)) return item;
    }
    return undefined;
  }

  async release(item: string): Promise<void> {
    await this.storage.release(this.key(item));
  }
}
