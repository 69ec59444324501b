// Paged lists at a real apiserver over a real etcd, as Kubernetes serves them: `limit` returns at most
// that many objects with `metadata.continue` (and `remainingItemCount` when nothing is filtered out),
// following the tokens returns every object exactly once from one snapshot, a token whose snapshot was
// compacted is a 410 with upstream's message and a token for the rest, and the real kubectl's chunked
// `get` (limit=500 by default, --chunk-size here) lists everything.
import { spawnSync } from 'node:child_process';
import { EtcdStorage } from '../../apiserver/storage/etcd';
import type { ConfigMap } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { ConfigMaps } from '../../shared/api/resources';
import { Client, ListOptions } from '../../shared/client';
import { Informer, ListerWatcher } from '../../shared/informer';
import { newLogger } from '../../shared/log';
import { ControlPlane, startControlPlane } from '../processes';
import { api } from './api';

const NS = 'paging';
const BASE = `/api/v1/namespaces/${NS}/configmaps`;
const COUNT = 25;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  for (let i = 0; i < COUNT; i++) {
    const labels = i % 5 === 0 ? { tier: 'gold' } : {};
    const res = await api(cp.config, 'POST', BASE, { metadata: { name: `cm-${String(i).padStart(2, '0')}`, labels } });
    expect(res.code).toBe(201);
  }
});
afterAll(async () => {
  await cp?.stop();
});

/** GETs page after page from `query`; returns the pages' bodies. */
async function follow(query: string, accept = 'application/json'): Promise<any[]> {
  const pages: any[] = [];
  let token: string | undefined;
  do {
    const res = await api(
      cp.config,
      'GET',
      `${BASE}?${query}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
      undefined,
      undefined,
      accept,
    );
    expect(res.code).toBe(200);
    pages.push(res.body);
    token = res.body.metadata.continue;
  } while (token && pages.length <= COUNT);
  return pages;
}

/**
 * `kubectl get <plural> -n <ns>` (kubectl 1.33, -v=6): the names it printed, and the lines of its log
 * that are the responses to its list requests, to see how it paged.
 */
function kubectlGetInChunks(kubeconfig: string, plural: string, ns: string, flags: string[]) {
  const r = spawnSync(
    '/usr/lib/google-cloud-sdk/bin/kubectl.1.33',
    ['--kubeconfig', kubeconfig, 'get', plural, '-n', ns, ...flags, '-v=6'],
    {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  expect(r.status).toBe(0);
  const listed = r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[0]);
  const listResponse = new RegExp(`"Response" verb="GET" url="[^"]*/${plural}\\?`);
  return { listed, responses: r.stderr.split('\n').filter((line) => listResponse.test(line)) };
}

const names = (pages: any[]) => pages.flatMap((p) => (p.items ?? p.rows).map((o: any) => o.metadata?.name ?? o.cells[0]));

it('answers limit with a continue token and the remaining count, and the tokens lead to every object exactly once', async () => {
  const pages = await follow('limit=10');
  expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
  expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual([15, 5, undefined]);
  expect(pages[2].metadata.continue).toBeUndefined();
  const all = names(pages);
  expect(all).toHaveLength(COUNT);
  expect(new Set(all).size).toBe(COUNT);
  expect(new Set(pages.map((p) => p.metadata.resourceVersion)).size).toBe(1); // one snapshot
});

it('pages a label-selected list: every match once, no remaining count', async () => {
  const pages = await follow('limit=2&labelSelector=tier%3Dgold');
  expect(names(pages)).toEqual(['cm-00', 'cm-05', 'cm-10', 'cm-15', 'cm-20']);
  expect(pages.every((p) => p.metadata.remainingItemCount === undefined)).toBe(true);
  expect(pages.every((p) => p.items.length <= 2)).toBe(true);
});

it('pages server-side Tables the same way', async () => {
  const pages = await follow('limit=10', TABLE);
  expect(pages[0]).toMatchObject({ kind: 'Table', metadata: { continue: expect.any(String), remainingItemCount: 15 } });
  expect(names(pages)).toHaveLength(COUNT);
});

it('answers a continue token whose revision was compacted with 410 Expired, upstream’s message and a token for the rest', async () => {
  const first = await api(cp.config, 'GET', `${BASE}?limit=10`);
  await api(cp.config, 'POST', BASE, { metadata: { name: 'cm-late' } }); // the revision moves past the snapshot
  const etcd = new EtcdStorage([cp.etcdUrl], cp.etcdTLS);
  try {
    await etcd.compact(0);
  } finally {
    etcd.close();
  }
  const expired = await api(cp.config, 'GET', `${BASE}?limit=10&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  expect(expired.code).toBe(410);
  expect(expired.body).toMatchObject({
    kind: 'Status',
    reason: 'Expired',
    code: 410,
    message:
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  });
  // The token in the Status continues after the first page at the latest revision: cm-late shows up.
  const rest = await api(cp.config, 'GET', `${BASE}?limit=100&continue=${encodeURIComponent(expired.body.metadata.continue)}`);
  expect(rest.code).toBe(200);
  expect(rest.body.items.map((o: any) => o.metadata.name)).toContain('cm-late');
  expect(rest.body.items).toHaveLength(COUNT - 10 + 1);
  await api(cp.config, 'DELETE', `${BASE}/cm-late`);
});

it('refuses a malformed continue token with 400', async () => {
  const res = await api(cp.config, 'GET', `${BASE}?limit=10&continue=not-a-token`);
  expect(res.code).toBe(400);
  expect(res.body.message).toMatch(/^invalid continue token: continue key is not valid/);
});

it('lists everything with the real kubectl asking in chunks of 2', () => {
  const { listed, responses } = kubectlGetInChunks(cp.kubeconfig, 'configmaps', NS, ['--chunk-size=2']);
  expect(listed).toEqual(Array.from({ length: COUNT }, (_, i) => `cm-${String(i).padStart(2, '0')}`));
  // kubectl really paged: its first request asked for 2, and it followed the tokens.
  expect(responses[0]).toMatch(/configmaps\?limit=2" status="200 OK"/);
  expect(responses.filter((line) => /continue=[^&"]+&limit=2" status="200 OK"/.test(line))).toHaveLength(Math.ceil(COUNT / 2) - 1);
});

it('syncs an informer over a list bigger than one page (client-go’s pager: limit=500, then continue)', async () => {
  const ns = 'paging-big';
  const total = 520;
  await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const cms = new Client(cp.config).resource<ConfigMap>(ConfigMaps);
  for (let i = 0; i < total; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, total - i) }, (_, j) => cms.create({ metadata: { name: `big-${i + j}`, namespace: ns } })),
    );
  }
  // The real REST client, with each list request it sends recorded.
  const lists: ListOptions[] = [];
  const recording: ListerWatcher<ConfigMap> = {
    list: (namespace, opts = {}) => {
      lists.push(opts);
      return cms.list(namespace, opts);
    },
    watch: (namespace, opts, onEvent, signal) => cms.watch(namespace, opts, onEvent, signal),
  };
  const informer = new Informer<ConfigMap>(recording, ConfigMaps, {
    namespace: ns,
    logger: newLogger('test').child({}, { level: 'silent' }),
  });
  informer.run();
  try {
    await informer.waitForSync();
    expect(informer.lister.list(ns)).toHaveLength(total);
    expect(lists).toEqual([expect.objectContaining({ limit: 500 }), expect.objectContaining({ limit: 500, continue: expect.any(String) })]);
  } finally {
    informer.stop();
  }
});

describe('10,000 pods', () => {
  const ns = 'many-pods';
  const total = 10_000;
  const podName = (i: number) => `pod-${String(i).padStart(5, '0')}`;
  beforeAll(async () => {
    await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    // Written straight into etcd (as the apiserver stores them): 10,000 creates through the API would take a minute here.
    const etcd = new EtcdStorage([cp.etcdUrl], cp.etcdTLS);
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          for (let i = next++; i < total; i = next++) {
            await etcd.create(`/registry/core/pods/${ns}/${podName(i)}`, {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: podName(i), namespace: ns, uid: `uid-${i}`, creationTimestamp: new Date().toISOString() },
              spec: { containers: [{ name: 'app', image: 'busybox' }] },
            } as KubeObject);
          }
        }),
      );
    } finally {
      etcd.close();
    }
  }, 120_000);

  it('pages them by 500 in key order, every pod once, all pages from one snapshot', async () => {
    const pages: any[] = [];
    let token: string | undefined;
    do {
      const query = `limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const res = await api(cp.config, 'GET', `/api/v1/namespaces/${ns}/pods?${query}`);
      expect(res.code).toBe(200);
      pages.push(res.body);
      token = res.body.metadata.continue;
    } while (token && pages.length <= total / 500);
    expect(pages).toHaveLength(total / 500);
    expect(pages.every((p) => p.items.length === 500)).toBe(true);
    expect(pages.map((p) => p.metadata.remainingItemCount)).toEqual(
      Array.from({ length: total / 500 }, (_, k) => (k === total / 500 - 1 ? undefined : total - 500 * (k + 1))),
    );
    expect(new Set(pages.map((p) => p.metadata.resourceVersion)).size).toBe(1);
    expect(pages.flatMap((p) => p.items.map((o: any) => o.metadata.name))).toEqual(Array.from({ length: total }, (_, i) => podName(i)));
  }, 60_000);

  it('lists them all with the real kubectl in its default chunks of 500', () => {
    const { listed, responses } = kubectlGetInChunks(cp.kubeconfig, 'pods', ns, []);
    expect(listed).toEqual(Array.from({ length: total }, (_, i) => podName(i)));
    expect(responses[0]).toMatch(/pods\?limit=500" status="200 OK"/);
    expect(responses.filter((line) => /continue=[^&"]+&limit=500" status="200 OK"/.test(line))).toHaveLength(total / 500 - 1);
  }, 60_000);
});
