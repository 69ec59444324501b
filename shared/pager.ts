// client-go's ListPager: a list read in pages (limit 500, following metadata.continue) and handed back
// whole, so a big collection costs the apiserver many small requests instead of one huge one. When the
// server has compacted the first page's snapshot before the last page (410 Expired on a continue), the
// pager falls back to one list without a limit, as client-go does.
import type { KubeList, KubeObject } from './api/meta';
import type { ListOptions } from './client';
import { isGone } from './errors';

export const DEFAULT_PAGE_SIZE = 500;

export type ListPageFunc<T extends KubeObject> = (opts: ListOptions) => Promise<KubeList<T>>;

export async function listAllPages<T extends KubeObject>(
  listPage: ListPageFunc<T>,
  options: ListOptions = {},
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<KubeList<T>> {
  let opts: ListOptions = { ...options, limit: options.limit || pageSize };
  let list: KubeList<T> | undefined;
  for (;;) {
    let page: KubeList<T>;
    try {
      page = await listPage(opts);
    } catch (err) {
      if (!isGone(err) || !opts.continue) throw err;
      return listPage({ ...options, limit: undefined, continue: undefined });
    }
    const token = page.metadata.continue;
    if (!list) {
      if (!token) return page;
      list = { ...page, metadata: { resourceVersion: page.metadata.resourceVersion }, items: [...page.items] };
    } else {
      list.items.push(...page.items);
    }
    if (!token) return list;
    // Later pages carry no resourceVersion: the token holds the snapshot.
    opts = { ...opts, continue: token, resourceVersion: undefined, resourceVersionMatch: undefined };
  }
}
