// Benchmarks of the apiserver on a real etcd, each beside its limit: the same number of raw etcd writes
// (one compare-and-swap transaction each, through the apiserver's own storage layer) from this process.
// The mutating latency at 50/s is measured as the official JavaScript client (@kubernetes/client-node, over
// TLS, with its own kubeconfig loading) sees it, interleaved with the project's client and raw etcd so a
// swing of the machine's load hits all three alike.
//   npm run bench (all benchmarks), or node dist/bench/api.js (this one)
import os from 'node:os';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ConfigMap, Pod } from '../shared/api/core';
import { ConfigMaps, Pods } from '../shared/api/resources';
import { Client } from '../shared/client';
import { EtcdStorage } from '../apiserver/storage/etcd';
import { startControlPlane } from '../test/processes';
import { cpuSeconds, load, machine, paced, peakRssMB, resetPeakRss, rssMB, runIfMain, summarize, table } from './stats';

const N = Number(process.env.BENCH_N ?? 1000);
const CONCURRENCY = 8;
const WARMUP = 500;
const STEADY = 250;
const STEADY_RATE = 50;
const LIST_PODS = Number(process.env.BENCH_LIST_PODS ?? 10_000);
const POD_PADDING = 1000;

export async function run(): Promise<void> {
  const cp = await startControlPlane(['--etcd-compaction-interval=0']);
  try {
    const client = new Client(cp.config);
    const cms = client.resource<ConfigMap>(ConfigMaps);
    const storage = new EtcdStorage([cp.etcdUrl], cp.etcdTLS);
    const body = (i: number, prefix: string) => ({
      metadata: { name: `${prefix}-${i}`, namespace: 'default' },
      data: { key: 'value' },
    });

    // Both paths warmed first (V8 compiles the hot code in the first few hundred requests: a cold apiserver
    // costs twice the CPU per create), so the figures are a running apiserver's.
    await load(WARMUP, CONCURRENCY, (i) => storage.create(`/bench/warmup/${i}`, body(i, 'warmup')));
    await load(WARMUP, CONCURRENCY, (i) => cms.create(body(i, 'warmup')));
    const pids = { apiserver: cp.apiserver.child.pid!, etcd: cp.etcd.child.pid! };
    const raw = await withCpu(pids, () => load(N, CONCURRENCY, (i) => storage.create(`/bench/raw/${i}`, body(i, 'raw'))));
    const creates = await withCpu(pids, () => load(N, CONCURRENCY, (i) => cms.create(body(i, 'c'))));
    const gets = await load(N, CONCURRENCY, (i) => cms.get('default', `c-${i}`));
    const updates = await load(N, CONCURRENCY, (i) => cms.patch('default', `c-${i}`, { data: { key: 'changed' } }));
    const lists = await load(50, 2, () => cms.list('default'));
    const official = officialClient(cp.kubeconfig);
    const steadyClients = [
      (i: number) => storage.create(`/bench/raw-steady/${i}`, body(i, 'raw-steady')),
      (i: number) => cms.create(body(i, 'steady')),
      (i: number) => official.createNamespacedConfigMap({ namespace: 'default', body: body(i, 'official') }),
    ];
    const steadyAll = await paced(STEADY * steadyClients.length, STEADY_RATE * steadyClients.length, (i) =>
      steadyClients[i % steadyClients.length](Math.floor(i / steadyClients.length)),
    );
    const [steadyRaw, steady, steadyOfficial] = steadyClients.map((_, k) => steadyAll.filter((_, i) => i % steadyClients.length === k));
    const listMemory = await listPeakMemory(client, storage, cp.apiserver.child.pid!);
    storage.close();

    const row = (what: string, r: { latencies: number[]; seconds: number }) => {
      const s = summarize(r.latencies);
      return [what, r.latencies.length, s.p50, s.p99, Math.round(r.latencies.length / r.seconds)];
    };
    const rawRate = N / raw.seconds;
    const createRate = N / creates.seconds;
    const steadyRow = (what: string, latencies: number[]) => {
      const s = summarize(latencies);
      return [what, latencies.length, s.p50, s.p99, STEADY_RATE];
    };
    const official99 = summarize(steadyOfficial).p99;
    process.stdout.write(`${machine()}, etcd 3.4; ${CONCURRENCY} concurrent clients\n\n`);
    process.stdout.write(
      `${table([
        ['operation', 'count', 'p50 ms', 'p99 ms', 'per second'],
        row('raw etcd CAS create (limit)', raw),
        row('API create', creates),
        row('API get', gets),
        row('API patch (merge)', updates),
        row(`API list (${N + WARMUP} objects)`, lists),
        steadyRow(`raw etcd CAS create at ${STEADY_RATE}/s (limit)`, steadyRaw),
        steadyRow(`API create at ${STEADY_RATE}/s, project client (kept-alive)`, steady),
        steadyRow(`API create at ${STEADY_RATE}/s, @kubernetes/client-node`, steadyOfficial),
      ])}\n\n`,
    );
    process.stdout.write(
      `${table([
        [`apiserver memory, a list of ${LIST_PODS} pods`, 'peak RSS growth MB', 'seconds'],
        ...listMemory.map((m) => [m.what, m.growthMB.toFixed(0), m.seconds.toFixed(2)]),
      ])}\n\n`,
    );
    process.stdout.write(
      `create throughput: ${Math.round(createRate)}/s = ${((createRate / rawRate) * 100).toFixed(0)}% of raw etcd (goal: at least 70%)\n`,
    );
    const perCreate = (cpu: Record<string, number>) =>
      Object.entries(cpu)
        .map(([who, seconds]) => `${who} ${((seconds / N) * 1000).toFixed(2)}`)
        .join(', ');
    process.stdout.write(
      `CPU ms per create (the ${os.cpus().length} cores shared by all): raw etcd CAS: ${perCreate(raw.cpu)}; API: ${perCreate(creates.cpu)}\n`,
    );
    process.stdout.write(
      `mutating p99 at ${STEADY_RATE}/s from @kubernetes/client-node: ${official99.toFixed(1)} ms (goal: at most 50 ms; raw etcd CAS p99 ${summarize(steadyRaw).p99.toFixed(1)} ms in the same run)\n`,
    );
  } finally {
    await cp.stop();
  }
}

/** Runs `task`, with the CPU seconds the apiserver, etcd and this process (the clients) used meanwhile. */
async function withCpu<T>(pids: Record<string, number>, task: () => Promise<T>): Promise<T & { cpu: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([who, pid]) => [who, cpuSeconds(pid)]));
  const own = process.cpuUsage();
  const result = await task();
  const used = process.cpuUsage(own);
  const cpu = Object.fromEntries(Object.entries(pids).map(([who, pid]) => [who, cpuSeconds(pid) - before[who]]));
  return { ...result, cpu: { ...cpu, clients: (used.user + used.system) / 1e6 } };
}

/**
 * How much the apiserver's resident memory peaks above where it was while serving one list of LIST_PODS
 * pods of about 1.2 KB (written straight into etcd; a real pod with its status is 1-3 KB): in pages of 500
 * (kubectl's default chunk size) and whole.
 */
async function listPeakMemory(client: Client, storage: EtcdStorage, pid: number) {
  await load(LIST_PODS, 32, (i) =>
    storage.create(`/registry/core/pods/default/list-${i}`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `list-${i}`,
        namespace: 'default',
        uid: `list-${i}`,
        creationTimestamp: new Date().toISOString(),
        annotations: { padding: 'x'.repeat(POD_PADDING) },
      },
      spec: { containers: [{ name: 'app', image: 'busybox' }] },
    } as Pod),
  );
  const pods = client.resource<Pod>(Pods);
  const measure = async (what: string, list: () => Promise<number>) => {
    resetPeakRss(pid);
    const before = rssMB(pid);
    const start = process.hrtime.bigint();
    const count = await list();
    if (count !== LIST_PODS) throw new Error(`${what}: listed ${count} pods, not ${LIST_PODS}`);
    return { what, growthMB: peakRssMB(pid) - before, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  };
  const paged = async () => {
    let [count, token] = [0, undefined as string | undefined];
    do {
      const page = await pods.list('default', { limit: 500, continue: token });
      count += page.items.length;
      token = page.metadata.continue;
    } while (token);
    return count;
  };
  return [
    await measure('limit=500, following continue', paged),
    await measure('no limit', async () => (await pods.list('default')).items.length),
    await measure('limit=500 again', paged),
  ];
}

/** The official JavaScript client, set up as a program using it would: from the admin kubeconfig file. */
function officialClient(kubeconfig: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

runIfMain(module, run);
