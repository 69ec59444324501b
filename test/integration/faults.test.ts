// Network faults on a real control plane, injected by a TCP proxy (test/faultproxy.ts):
//  - between the apiserver and etcd: while the connections are cut again and again and stalled for 2 s,
//    every write is answered within a bound, either 2xx or a 503 Status; afterwards every acknowledged
//    write is there with its last acknowledged value (or a later attempt whose failure was ambiguous),
//    nothing else is, /readyz is 200 again, and an informer opened before the faults equals a fresh list;
//  - between an informer and the apiserver: with its connections cut, stalled and refused while writes
//    go to the apiserver directly, the informer's cache converges to the real list.
import { EtcdStorage } from '../../apiserver/storage/etcd';
import type { ConfigMap } from '../../shared/api/core';
import { ConfigMaps } from '../../shared/api/resources';
import { Client } from '../../shared/client';
import { Informer } from '../../shared/informer';
import type { ClientConfig } from '../../shared/kubeconfig';
import { newLogger } from '../../shared/log';
import { FaultProxy } from '../faultproxy';
import { ControlPlane, httpStatus, startControlPlane, waitFor } from '../processes';
import { api, ApiResponse } from './api';

/**
 * No write may go unanswered longer than this, faults or not (the etcd stall lasts 2 s): the apiserver
 * gives each etcd request 5 s (apiserver/storage/etcd.ts), and a patch makes at most three waits: behind
 * the etcd client's half-open circuit breaker's trial request, its read, and its compare-and-swap.
 */
const WRITE_BOUND_MS = 15_000;
const silent = newLogger('test').child({}, { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cp: ControlPlane;
let etcdProxy: FaultProxy | undefined;

beforeAll(async () => {
  cp = await startControlPlane([], ['node-1'], {
    etcdEndpoint: async (etcdUrl) => {
      const { hostname, port } = new URL(etcdUrl);
      etcdProxy = await FaultProxy.start(hostname, Number(port));
      return etcdProxy.url('https');
    },
  });
});
afterAll(async () => {
  await cp?.stop();
  await etcdProxy?.close();
});

/** A request that must be answered within WRITE_BOUND_MS. */
async function boundedApi(method: string, path: string, body: unknown, contentType = 'application/json'): Promise<ApiResponse> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${WRITE_BOUND_MS} ms`)), WRITE_BOUND_MS);
  });
  try {
    return await Promise.race([api(cp.config, method, path, body, contentType), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function createNamespace(name: string): Promise<void> {
  expect((await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name } })).code).toBe(201);
}

function startInformer(config: ClientConfig, namespace: string): Informer<ConfigMap> {
  const informer = new Informer<ConfigMap>(new Client(config), ConfigMaps, { namespace, logger: silent });
  informer.run();
  return informer;
}

/** `name@resourceVersion` of every configmap, sorted: what a cache must agree with a list on. */
const versions = (items: ConfigMap[]) => items.map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`).sort();

async function listConfigMaps(namespace: string): Promise<ConfigMap[]> {
  const list = await api(cp.config, 'GET', `/api/v1/namespaces/${namespace}/configmaps`);
  expect(list.code).toBe(200);
  return list.body.items;
}

/** Waits until the informer's cache holds exactly what a fresh list returns; says how they differ if it never does. */
async function expectConverged(informer: Informer<ConfigMap>, namespace: string): Promise<void> {
  let cached: string[] = [];
  let listed: string[] = [];
  try {
    await waitFor(
      async () => {
        cached = versions(informer.lister.list(namespace));
        listed = versions(await listConfigMaps(namespace));
        return JSON.stringify(cached) === JSON.stringify(listed);
      },
      { timeoutMs: 20_000, what: 'the informer cache to equal a fresh list' },
    );
  } catch (err) {
    const only = (a: string[], b: string[]) => a.filter((x) => !b.includes(x)).join(' ') || 'nothing';
    throw new Error(`${(err as Error).message}; only in the cache: ${only(cached, listed)}; only in the list: ${only(listed, cached)}`, {
      cause: err,
    });
  }
}

/** Every write to one configmap, in order: the value sent and whether a 2xx acknowledged it. */
type History = { value: string; acked: boolean }[];

/** What the ledger of writes allows a configmap's final `data.v` to be (undefined: absent). */
function allowedValues(history: History): Set<string | undefined> {
  const lastAck = history.map((a) => a.acked).lastIndexOf(true);
  // A write that failed may still have been stored (the answer was lost, not the write).
  const allowed = new Set<string | undefined>(history.slice(lastAck + 1).map((a) => a.value));
  allowed.add(lastAck >= 0 ? history[lastAck].value : undefined);
  return allowed;
}

/** Writers that create and patch configmaps in one namespace and record every answer. */
class WriteLedger {
  readonly histories = new Map<string, History>();
  readonly violations: string[] = [];
  /** How many writes were acknowledged so far. */
  acknowledged = 0;
  private stopped = false;

  constructor(private readonly namespace: string) {}

  run(writers: number): Promise<void> {
    return Promise.all(Array.from({ length: writers }, (_, id) => this.writer(id))).then(() => undefined);
  }

  stop(): void {
    this.stopped = true;
  }

  private async writer(id: number): Promise<void> {
    const acked: string[] = [];
    for (let seq = 0, created = 0; !this.stopped; seq++) {
      const create = acked.length === 0 || seq % 3 === 0;
      const name = create ? `w${id}-${created++}` : acked[seq % acked.length];
      const value = `${id}-${seq}`;
      const ok = await this.write(name, value, create);
      if (ok && create) acked.push(name);
      await sleep(20);
    }
  }

  /** One write; true when acknowledged. A 503 Status is a failure; any other answer is a violation. */
  private async write(name: string, value: string, create: boolean): Promise<boolean> {
    const base = `/api/v1/namespaces/${this.namespace}/configmaps`;
    const what = `${create ? 'create' : 'patch'} ${name}=${value}`;
    const history = this.histories.get(name) ?? [];
    this.histories.set(name, history);
    const attempt = { value, acked: false };
    history.push(attempt);
    try {
      const res = create
        ? await boundedApi('POST', base, { metadata: { name }, data: { v: value } })
        : await boundedApi('PATCH', `${base}/${name}`, { data: { v: value } }, 'application/merge-patch+json');
      if (res.code >= 200 && res.code < 300 && res.body?.data?.v === value) {
        this.acknowledged++;
        return (attempt.acked = true);
      }
      if (res.code !== 503 || res.body?.kind !== 'Status' || res.body.code !== 503)
        this.violations.push(`${what}: HTTP ${res.code} ${JSON.stringify(res.body).slice(0, 200)}`);
    } catch (err) {
      this.violations.push(`${what}: ${(err as Error).message}`);
    }
    return false;
  }

  /** Differences between the ledger and the stored configmaps (`preexisting` are left alone). */
  mismatches(stored: ConfigMap[], preexisting: Set<string>): string[] {
    const byName = new Map(stored.map((c) => [c.metadata.name!, c.data?.v]));
    const problems: string[] = [];
    for (const [name, history] of this.histories) {
      const allowed = allowedValues(history);
      if (!allowed.has(byName.get(name)))
        problems.push(`${name} is ${byName.get(name) ?? 'missing'}, expected one of ${[...allowed].join(', ')}`);
    }
    for (const name of byName.keys()) if (!this.histories.has(name) && !preexisting.has(name)) problems.push(`${name} was never written`);
    return problems;
  }
}

/** Cuts, refuses and stalls the proxy's connections; `stallMs` is the length of the stall. */
async function injectFaults(proxy: FaultProxy, stallMs: number): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await sleep(300);
    proxy.cut();
  }
  proxy.refuse(true);
  await sleep(500);
  proxy.refuse(false);
  await sleep(300);
  proxy.stall(true);
  await sleep(stallMs);
  proxy.cut(); // connections made during the stall never carried a byte
  proxy.stall(false);
  await sleep(300);
  proxy.cut();
}

describe('between the apiserver and etcd', () => {
  it('acknowledges only what it stored, recovers, and a watch from before the faults catches up', async () => {
    const ns = 'etcd-faults';
    await createNamespace(ns);
    const preexisting = new Set<string>();
    for (let i = 0; i < 5; i++) {
      expect((await api(cp.config, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `before-${i}` } })).code).toBe(201);
      preexisting.add(`before-${i}`);
    }
    const informer = startInformer(cp.config, ns);
    const ledger = new WriteLedger(ns);
    try {
      await informer.waitForSync();
      expect(etcdProxy!.connections).toBeGreaterThan(0);
      const writing = ledger.run(4);
      await waitFor(async () => ledger.acknowledged >= 4, { what: 'writes acknowledged before the faults' });
      await injectFaults(etcdProxy!, 2000);
      await waitFor(async () => (await httpStatus(`${cp.url}/readyz`)) === 200, { what: '/readyz to answer 200' });
      const afterFaults = ledger.acknowledged;
      await waitFor(async () => ledger.acknowledged >= afterFaults + 4, { what: 'writes acknowledged again after the faults' });
      ledger.stop();
      await writing;

      expect(ledger.violations).toEqual([]);
      const attempts = [...ledger.histories.values()].flat();
      expect(attempts.filter((a) => !a.acked).length).toBeGreaterThan(0); // the faults were felt
      expect(ledger.mismatches(await listConfigMaps(ns), preexisting)).toEqual([]);
      await expectConverged(informer, ns);
    } finally {
      ledger.stop();
      informer.stop();
    }
  });
});

describe('a create whose connection to etcd breaks before the answer', () => {
  it('is answered 201 or 503, never AlreadyExists for its own write: a write is not tried again', async () => {
    const ns = 'lost-answers';
    await createNamespace(ns);
    const wrong: string[] = [];
    let storedUnacknowledged = 0;
    for (let i = 0; i < 60; i++) {
      const name = `c${i}`;
      const creating = boundedApi('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name } });
      await sleep(1 + (i % 6)); // the cut lands before etcd has the request, while it applies it, or after
      etcdProxy!.cut();
      const res = await creating;
      const stored = await waitFor(
        async () => {
          const got = await api(cp.config, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
          return got.code === 503 ? undefined : { found: got.code === 200 };
        },
        { what: `a read of ${name}` },
      );
      if (res.code === 201 && !stored.found) wrong.push(`${name}: 201 but not stored`);
      else if (res.code === 503) storedUnacknowledged += stored.found ? 1 : 0;
      else if (res.code !== 201) wrong.push(`${name}: HTTP ${res.code} ${res.body?.reason ?? ''}`);
    }
    expect(wrong).toEqual([]);
    // The case that matters happened: etcd stored a create whose answer the cut lost.
    expect(storedUnacknowledged).toBeGreaterThan(0);
  });
});

describe('an etcd that accepts connections and never answers', () => {
  it('fails a request as unavailable within the request timeout instead of waiting for ever', async () => {
    const { hostname, port } = new URL(cp.etcdUrl);
    const silentEtcd = await FaultProxy.start(hostname, Number(port));
    silentEtcd.stall(true);
    const storage = new EtcdStorage([silentEtcd.url('https')], cp.etcdTLS);
    const started = Date.now();
    try {
      await expect(storage.get('/registry/configmaps/default/any')).rejects.toMatchObject({ code: 'Unavailable' });
      // Once, not three times: a request that ran out of time is not tried again.
      expect(Date.now() - started).toBeLessThan(WRITE_BOUND_MS / 2);
    } finally {
      storage.close();
      await silentEtcd.close();
    }
  });
});

describe('between an informer and the apiserver', () => {
  it('converges to the real list after cuts, stalls and refused connections', async () => {
    const ns = 'informer-faults';
    await createNamespace(ns);
    const apiserverPort = Number(new URL(cp.url).port);
    const proxy = await FaultProxy.start('127.0.0.1', apiserverPort);
    const informer = startInformer({ ...cp.config, server: proxy.url('https') }, ns);
    try {
      await informer.waitForSync();
      expect(proxy.connections).toBeGreaterThan(0);
      const changing = churn(ns, 120);
      await injectFaults(proxy, 1500);
      await changing;
      await expectConverged(informer, ns);
      expect((await listConfigMaps(ns)).length).toBeGreaterThan(0);
    } finally {
      informer.stop();
      await proxy.close();
    }
  });
});

/** `count` creates, updates and deletes of configmaps, straight to the apiserver. */
async function churn(namespace: string, count: number): Promise<void> {
  const cms = new Client(cp.config).resource<ConfigMap>(ConfigMaps);
  for (let i = 0; i < count; i++) {
    const name = `c${i % 15}`;
    const existing = await cms.get(namespace, name).catch(() => undefined);
    if (!existing) await cms.create({ metadata: { name, namespace }, data: { i: String(i) } });
    else if (i % 4 === 0) await cms.delete(namespace, name);
    else await cms.patch(namespace, name, { data: { i: String(i) } });
    await sleep(30);
  }
}
