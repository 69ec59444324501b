import type { KubeObject } from '../../shared/api/meta';
import { MemoryStorage } from '../storage/memory';
import { selectionPredicate } from './selection';
import { ListOptions, ListResult, Store } from './store';
import { configMapStrategy } from './core/configmaps';

const names = (items: KubeObject[]) => items.map((o) => o.metadata.name);

async function storeWith(count: number, labelled = (_i: number) => false): Promise<{ storage: MemoryStorage; store: Store }> {
  const storage = new MemoryStorage();
  const store = new Store(storage, configMapStrategy);
  for (let i = 0; i < count; i++) {
    await store.create('default', { metadata: { name: `cm-${String(i).padStart(2, '0')}`, labels: labelled(i) ? { app: 'web' } : {} } });
  }
  return { storage, store };
}

/** Follows continue tokens to the end; returns every page. */
async function allPages(store: Store, options: ListOptions, labelSelector?: string): Promise<ListResult[]> {
  const pages: ListResult[] = [];
  let token = options.continue;
  do {
    const page = await store.list('default', selectionPredicate(labelSelector), { ...options, continue: token });
    pages.push(page);
    token = page.continue;
  } while (token && pages.length < 100);
  return pages;
}

describe('Store.list pages', () => {
  it('returns `limit` objects with a continue token and the count of the rest, and every object exactly once', async () => {
    const { store } = await storeWith(7);
    const pages = await allPages(store, { limit: 3 });
    expect(pages.map((p) => names(p.items))).toEqual([['cm-00', 'cm-01', 'cm-02'], ['cm-03', 'cm-04', 'cm-05'], ['cm-06']]);
    expect(pages.map((p) => p.remainingItemCount)).toEqual([4, 1, undefined]);
    expect(pages[2].continue).toBeUndefined();
    expect(new Set(pages.map((p) => p.resourceVersion)).size).toBe(1);
  });

  it('serves every page from the snapshot of the first: later writes do not show', async () => {
    const { store } = await storeWith(4);
    const first = await store.list('default', selectionPredicate(), { limit: 2 });
    await store.create('default', { metadata: { name: 'cm-99' } });
    await store.delete('default', 'cm-03');
    const second = await store.list('default', selectionPredicate(), { limit: 2, continue: first.continue });
    expect(names(second.items)).toEqual(['cm-02', 'cm-03']);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(second.continue).toBeUndefined();
  });

  it('fills filtered pages with matches, without a remaining count, and returns each match once', async () => {
    const { store } = await storeWith(30, (i) => i % 7 === 0); // 0, 7, 14, 21, 28
    const pages = await allPages(store, { limit: 2 }, 'app=web');
    expect(pages.map((p) => names(p.items))).toEqual([['cm-00', 'cm-07'], ['cm-14', 'cm-21'], ['cm-28']]);
    expect(pages.every((p) => p.remainingItemCount === undefined)).toBe(true);
  });

  it('lists everything without a limit, in chunks at one revision', async () => {
    const { storage, store } = await storeWith(5);
    const reads = jest.spyOn(storage, 'list');
    const all = await store.list('default', selectionPredicate());
    expect(names(all.items)).toHaveLength(5);
    expect(all.continue).toBeUndefined();
    expect(reads).toHaveBeenCalledWith('/registry/core/configmaps/default/', expect.objectContaining({ limit: 1000 }));
  });

  it('answers a continue token whose snapshot was compacted with 410 and a token for the rest at the latest revision', async () => {
    const { storage, store } = await storeWith(5);
    const first = await store.list('default', selectionPredicate(), { limit: 2 });
    await store.create('default', { metadata: { name: 'cm-04b' } });
    storage.compact(Number(await storage.currentRevision()));
    const err = await store.list('default', selectionPredicate(), { limit: 2, continue: first.continue }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: {
        code: 410,
        reason: 'Expired',
        message: expect.stringMatching(
          /^The provided continue parameter is too old to display a consistent list result\. You can start a new list/,
        ),
        metadata: { continue: expect.any(String) },
      },
    });
    const rest = await allPages(store, {
      limit: 2,
      continue: (err as { status: { metadata: { continue: string } } }).status.metadata.continue,
    });
    // The inconsistent remainder: from where the first page ended, at the latest revision (cm-04b included).
    expect(rest.flatMap((p) => names(p.items))).toEqual(['cm-02', 'cm-03', 'cm-04', 'cm-04b']);
  });

  it('lists exactly at a resourceVersion, refuses a compacted one, and one newer than the store', async () => {
    const { storage, store } = await storeWith(2);
    const before = await store.list('default', selectionPredicate());
    await store.create('default', { metadata: { name: 'cm-later' } });
    const exact = await store.list('default', selectionPredicate(), {
      resourceVersion: before.resourceVersion,
      resourceVersionMatch: 'Exact',
    });
    expect(names(exact.items)).toEqual(['cm-00', 'cm-01']);
    const legacyPaged = await store.list('default', selectionPredicate(), { resourceVersion: before.resourceVersion, limit: 10 });
    expect(names(legacyPaged.items)).toEqual(['cm-00', 'cm-01']);
    const notOlder = await store.list('default', selectionPredicate(), {
      resourceVersion: before.resourceVersion,
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(names(notOlder.items)).toEqual(['cm-00', 'cm-01', 'cm-later']);

    await expect(
      store.list('default', selectionPredicate(), { resourceVersion: '999', resourceVersionMatch: 'NotOlderThan' }),
    ).rejects.toMatchObject({
      status: { code: 504, reason: 'Timeout', message: expect.stringMatching(/^Timeout: Too large resource version: 999, current: \d+$/) },
    });
    storage.compact(Number(await storage.currentRevision()));
    await expect(
      store.list('default', selectionPredicate(), { resourceVersion: before.resourceVersion, resourceVersionMatch: 'Exact' }),
    ).rejects.toMatchObject({ status: { code: 410, reason: 'Expired', message: 'The resourceVersion for the provided list is too old.' } });
  });

  it('refuses a malformed token, a resourceVersion with a token, and a malformed resourceVersion with 400', async () => {
    const { store } = await storeWith(3);
    const first = await store.list('default', selectionPredicate(), { limit: 1 });
    await expect(store.list('default', selectionPredicate(), { continue: 'garbage!' })).rejects.toMatchObject({
      status: { code: 400, message: expect.stringMatching(/^invalid continue token: continue key is not valid: /) },
    });
    await expect(store.list('default', selectionPredicate(), { continue: first.continue, resourceVersion: '5' })).rejects.toMatchObject({
      status: { code: 400, message: 'specifying resource version is not allowed when using continue' },
    });
    await expect(store.list('default', selectionPredicate(), { resourceVersion: 'abc' })).rejects.toMatchObject({
      status: { code: 400, message: 'invalid resource version: strconv.ParseUint: parsing "abc": invalid syntax' },
    });
  });
});
