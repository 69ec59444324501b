// Benchmarks of the apiserver on a real etcd, each beside its limit: the same number of raw etcd writes
// (one compare-and-swap transaction each, through the apiserver's own storage layer) from this process.
//   npm run bench (all benchmarks), or node dist/bench/api.js (this one)
import type { ConfigMap } from '../shared/api/core';
import { ConfigMaps } from '../shared/api/resources';
import { Client } from '../shared/client';
import { EtcdStorage } from '../apiserver/storage/etcd';
import { startControlPlane } from '../test/processes';
import { load, machine, paced, runIfMain, summarize, table } from './stats';

const N = Number(process.env.BENCH_N ?? 1000);
const CONCURRENCY = 8;

export async function run(): Promise<void> {
  const cp = await startControlPlane(['--etcd-compaction-interval=0']);
  try {
    const client = new Client(cp.config);
    const cms = client.resource<ConfigMap>(ConfigMaps);
    const storage = new EtcdStorage([cp.etcdUrl], cp.etcdTLS);
    const body = (i: number, prefix: string): ConfigMap => ({
      metadata: { name: `${prefix}-${i}`, namespace: 'default' },
      data: { key: 'value' },
    });

    const raw = await load(N, CONCURRENCY, (i) => storage.create(`/bench/raw/${i}`, body(i, 'raw')));
    const creates = await load(N, CONCURRENCY, (i) => cms.create(body(i, 'c')));
    const gets = await load(N, CONCURRENCY, (i) => cms.get('default', `c-${i}`));
    const updates = await load(N, CONCURRENCY, (i) => cms.patch('default', `c-${i}`, { data: { key: 'changed' } }));
    const lists = await load(50, 2, () => cms.list('default'));
    const steady = await paced(250, 50, (i) => cms.create(body(i, 'steady')));
    storage.close();

    const row = (what: string, r: { latencies: number[]; seconds: number }) => {
      const s = summarize(r.latencies);
      return [what, r.latencies.length, s.p50, s.p99, Math.round(r.latencies.length / r.seconds)];
    };
    const rawRate = N / raw.seconds;
    const createRate = N / creates.seconds;
    const s50 = summarize(steady);
    process.stdout.write(`${machine()}, etcd 3.4; ${CONCURRENCY} concurrent clients\n\n`);
    process.stdout.write(
      `${table([
        ['operation', 'count', 'p50 ms', 'p99 ms', 'per second'],
        row('raw etcd CAS create (limit)', raw),
        row('API create', creates),
        row('API get', gets),
        row('API patch (merge)', updates),
        row(`API list (${N} objects)`, lists),
        ['API create at 50/s', steady.length, s50.p50, s50.p99, 50],
      ])}\n\n`,
    );
    process.stdout.write(
      `create throughput: ${Math.round(createRate)}/s = ${((createRate / rawRate) * 100).toFixed(0)}% of raw etcd (goal: at least 50%)\n`,
    );
    process.stdout.write(`mutating p99 at 50/s: ${s50.p99.toFixed(1)} ms (goal: under 50 ms)\n`);
  } finally {
    await cp.stop();
  }
}

runIfMain(module, run);
