import type { ConfigMap } from './api/core';
import type { KubeList } from './api/meta';
import type { ListOptions } from './client';
import { gone } from './errors';
import { listAllPages } from './pager';

const cm = (name: string): ConfigMap => ({ metadata: { name, namespace: 'default' } });
const ALL = Array.from({ length: 1200 }, (_, i) => cm(`cm-${i}`));

/** A server that pages ALL with tokens `page-N`; `expireAt` makes that page's request a 410. */
function server(expireAt?: number) {
  const requests: ListOptions[] = [];
  const list = (opts: ListOptions): Promise<KubeList<ConfigMap>> => {
    requests.push(opts);
    const from = opts.continue ? Number(opts.continue.slice('page-'.length)) : 0;
    if (expireAt !== undefined && from === expireAt) return Promise.reject(gone('The provided continue parameter is too old'));
    const limit = opts.limit || ALL.length;
    const items = ALL.slice(from, from + limit);
    const next = from + limit < ALL.length ? `page-${from + limit}` : undefined;
    return Promise.resolve({
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      metadata: { resourceVersion: '77', ...(next ? { continue: next } : {}) },
      items,
    });
  };
  return { list, requests };
}

describe('listAllPages (client-go’s ListPager)', () => {
  it('asks for 500 at a time, follows the tokens without a resourceVersion, and returns one whole list', async () => {
    const { list, requests } = server();
    const result = await listAllPages(list, { labelSelector: 'app=web', resourceVersion: '5' });
    expect(result.items.map((o) => o.metadata.name)).toEqual(ALL.map((o) => o.metadata.name));
    expect(result.metadata).toEqual({ resourceVersion: '77' });
    expect(requests).toEqual([
      { labelSelector: 'app=web', resourceVersion: '5', limit: 500 },
      { labelSelector: 'app=web', limit: 500, continue: 'page-500', resourceVersion: undefined, resourceVersionMatch: undefined },
      { labelSelector: 'app=web', limit: 500, continue: 'page-1000', resourceVersion: undefined, resourceVersionMatch: undefined },
    ]);
  });

  it('falls back to one list without a limit when a later page’s snapshot expired', async () => {
    const { list, requests } = server(500);
    const result = await listAllPages(list, { resourceVersion: '5' });
    expect(result.items).toHaveLength(ALL.length);
    expect(requests[requests.length - 1]).toEqual({ resourceVersion: '5', limit: undefined, continue: undefined });
  });

  it('passes a 410 on the first page to the caller (an informer relists then)', async () => {
    const { list } = server(0);
    await expect(listAllPages(list)).rejects.toMatchObject({ status: { code: 410 } });
  });
});
