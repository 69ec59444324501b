// Watch fan-out: how long one write takes to reach every watcher. WATCHERS watchers, each its own Client
// and so its own connection (as that many informers in separate processes would have), watch the
// configmaps of one namespace while configmaps are created at a steady rate. Each event's latency runs
// from just before its create was sent to its arrival at one watcher, so it includes the write itself.
// The limit is the same done on etcd alone: raw compare-and-swap creates and WATCHERS raw etcd watches
// through the apiserver's own storage layer in this process (one etcd watch per API watch is what the
// apiserver opens), so without HTTP, admission, JSON re-encoding or the apiserver's event loop.
//   npm run bench (all benchmarks), or node dist/bench/watch.js (this one);
//   BENCH_WATCHERS, BENCH_WRITES and BENCH_RATE (writes per second) change the load.
import { setMaxListeners } from 'node:events';
import type { ConfigMap, Namespace } from '../shared/api/core';
import { ConfigMaps, Namespaces } from '../shared/api/resources';
import { Client } from '../shared/client';
import { EtcdStorage } from '../apiserver/storage/etcd';
import { ControlPlane, startControlPlane, waitFor } from '../test/processes';
import { machine, paced, runIfMain, since, summarize, table } from './stats';

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);
const WRITES = Number(process.env.BENCH_WRITES ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const NAMESPACE = 'bench-watch';
/** Where the limit's raw writes go: the configmaps' key layout, in a namespace segment of its own. */
const RAW_PREFIX = '/registry/core/configmaps/bench-watch-raw/';
const GOAL_P99_MS = 100;
/** Written and awaited at every watcher before the clock starts, so that every watch is streaming. */
const WARM_UP = 'warm-up';

/** One side of the comparison: how to watch the configmaps and how to write one. */
interface FanOut {
  /** Opens `watchers` watches; `seen(watcher, name)` runs for every ADDED configmap until `signal` aborts. */
  open(watchers: number, seen: (watcher: number, name: string) => void, signal: AbortSignal): Promise<void>;
  write(name: string): Promise<unknown>;
}

function configMap(name: string, namespace: string): ConfigMap {
  return { metadata: { name, namespace }, data: { key: 'value' } };
}

function reportWatchError(err: unknown): void {
  process.stderr.write(`watch failed: ${err}\n`);
}

/** Through the apiserver: one Client per watcher, one more for the writes. */
function apiFanOut(cp: ControlPlane): FanOut {
  const writer = new Client(cp.config).resource<ConfigMap>(ConfigMaps);
  return {
    async open(watchers, seen, signal) {
      const { resourceVersion } = (await writer.list(NAMESPACE)).metadata;
      for (let w = 0; w < watchers; w++) {
        const cms = new Client(cp.config).resource<ConfigMap>(ConfigMaps);
        cms
          .watch(
            NAMESPACE,
            { resourceVersion },
            (e) => {
              if (e.type === 'ADDED') seen(w, e.object.metadata.name!);
            },
            signal,
          )
          .catch(reportWatchError);
      }
    },
    write: (name) => writer.create(configMap(name, NAMESPACE)),
  };
}

/** On etcd alone, through one storage client as the apiserver uses one. */
function etcdFanOut(storage: EtcdStorage): FanOut {
  return {
    async open(watchers, seen, signal) {
      const revision = await storage.currentRevision();
      await Promise.all(
        Array.from({ length: watchers }, (_, w) =>
          storage.watch(
            RAW_PREFIX,
            revision,
            (e) => {
              if (e.type === 'ADDED') seen(w, e.object.metadata.name!);
            },
            reportWatchError,
            signal,
          ),
        ),
      );
    },
    write: (name) => storage.create(`${RAW_PREFIX}${name}`, configMap(name, 'bench-watch-raw')),
  };
}

interface FanOutResult {
  /** One latency per event received, in ms. */
  latencies: number[];
  expected: number;
}

/** Opens the watchers, proves them live with a warm-up write, then writes at RATE and collects every event. */
async function measure(fanOut: FanOut): Promise<FanOutResult> {
  const sentAt = new Map<string, bigint>();
  const warmedUp = new Set<number>();
  const latencies: number[] = [];
  const expected = WATCHERS * WRITES;
  const abort = new AbortController();
  setMaxListeners(2 * WATCHERS, abort.signal); // every watcher listens for the one abort
  const seen = (watcher: number, name: string) => {
    if (name === WARM_UP) return void warmedUp.add(watcher);
    const start = sentAt.get(name);
    if (start !== undefined) latencies.push(since(start));
  };
  try {
    await fanOut.open(WATCHERS, seen, abort.signal);
    await fanOut.write(WARM_UP);
    await waitFor(() => warmedUp.size === WATCHERS, { what: 'every watcher to see the warm-up write' });
    await paced(WRITES, RATE, (i) => {
      sentAt.set(`cm-${i}`, process.hrtime.bigint());
      return fanOut.write(`cm-${i}`);
    });
    // Events still in flight get a few seconds; a shortfall shows as fewer events than expected.
    await waitFor(() => latencies.length >= expected, { timeoutMs: 5000, intervalMs: 10 }).catch(() => undefined);
  } finally {
    abort.abort();
  }
  return { latencies, expected };
}

function print(raw: FanOutResult, api: FanOutResult): void {
  const row = (what: string, r: FanOutResult) => {
    const s = summarize(r.latencies);
    return [what, r.latencies.length, r.expected, s.p50, s.p90, s.p99];
  };
  const rawP99 = summarize(raw.latencies).p99;
  const apiP99 = summarize(api.latencies).p99;
  process.stdout.write(
    `${machine()}; ${WATCHERS} watchers, ${WRITES} creates at ${RATE}/s, latency from before the create to each watcher's event\n\n`,
  );
  process.stdout.write(
    `${table([
      ['watch path', 'events', 'expected', 'p50 ms', 'p90 ms', 'p99 ms'],
      row('raw etcd watch (limit)', raw),
      row('API watch', api),
    ])}\n\n`,
  );
  const met = apiP99 < GOAL_P99_MS && api.latencies.length === api.expected;
  process.stdout.write(
    `API watch p99: ${apiP99.toFixed(1)} ms = ${(apiP99 / rawP99).toFixed(1)}x raw etcd (goal: under ${GOAL_P99_MS} ms, every event delivered): ${met ? 'met' : 'NOT met'}\n`,
  );
}

export async function run(): Promise<void> {
  const cp = await startControlPlane(['--etcd-compaction-interval=0']);
  const storage = new EtcdStorage([cp.etcdUrl], cp.etcdTLS);
  try {
    await new Client(cp.config).resource<Namespace>(Namespaces).create({ metadata: { name: NAMESPACE } });
    const raw = await measure(etcdFanOut(storage));
    const api = await measure(apiFanOut(cp));
    print(raw, api);
  } finally {
    storage.close();
    await cp.stop();
  }
}

runIfMain(module, run);
