// Pod startup latency, as the Kubernetes SLO measures it (pod creation to all containers running, for
// pods whose images are present): a control plane, the compiled scheduler and one real kubelet on the
// machine's Docker engine. Pods are created at a steady rate; each latency runs from just before its
// create request is sent (creationTimestamp has 1 s resolution) to the moment a pod watch, started before
// the first create, shows every container running. The time to the bind is recorded on the way.
// The limit is the same containers made directly through the kubelet's own DockerRuntime at the same
// rate: per pod, create and start a pause container, then the app container joined to its namespaces (as
// kubelet/kubelet.ts startSandbox and startContainers do), timed to the app container running.
// Two loads, each against its own limit: 60 pods at 10/s (more than this machine's engine keeps up with)
// and 30 pods at 2/s (where it does).
//   npm run bench (all benchmarks), or node dist/bench/podstartup.js (this one); BENCH_PODS and
//   BENCH_RATE (pods per second) run one load of their own instead; BENCH_CPU_PROF=<dir> writes a V8 CPU
//   profile of the kubelet there (it exits through its own SIGTERM handler, so no exit-on-sigterm preload
//   is needed).
import fs from 'node:fs';
import path from 'node:path';
import type { Namespace, Node, Pod } from '../shared/api/core';
import { Namespaces, Nodes, Pods } from '../shared/api/resources';
import { Client } from '../shared/client';
import { intToIp, parseCidr } from '../shared/cidr';
import { nodeOptions } from '../deploy/nodeoptions';
import { DockerRuntime } from '../kubelet/runtime/docker';
import { INFRA_NAME, LABELS } from '../kubelet/runtime/interface';
import { ControlPlane, DIST, freePort, Proc, startControlPlane, startProcess, waitFor } from '../test/processes';
import { machine, paced, runIfMain, since, summarize, table } from './stats';

/** A run: `pods` pods created at `rate` per second, and the goal issue #19 sets at that rate. */
interface Load {
  pods: number;
  rate: number;
  goal: 'p99-ratio' | 'p50-over-raw';
}
const goalAt = (rate: number): Load['goal'] => (rate <= 2 ? 'p50-over-raw' : 'p99-ratio');
const LOADS: Load[] =
  process.env.BENCH_PODS || process.env.BENCH_RATE
    ? [
        {
          pods: Number(process.env.BENCH_PODS ?? 60),
          rate: Number(process.env.BENCH_RATE ?? 10),
          goal: goalAt(Number(process.env.BENCH_RATE ?? 10)),
        },
      ]
    : [
        { pods: 60, rate: 10, goal: 'p99-ratio' },
        { pods: 30, rate: 2, goal: 'p50-over-raw' },
      ];
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
/** Unique on the machine: other clusters (node-1, node-2, ...) share the Docker engine. */
const NODE = 'bench-node-1';
const NAMESPACE = 'bench-podstartup';
const DOCKER_ENDPOINT = 'unix:///var/run/docker.sock';
const POD_NETWORK = 'kube-pods';
const POD_NETWORK_CIDR = '10.244.0.0/16';
const POD_CIDR = '10.244.200.0/24';
/** The raw containers' node label and addresses: a range of the pod network no kubelet is given. */
const RAW_NODE = 'bench-raw';
const RAW_CIDR = '10.244.204.0/22';
const INFRA_IMAGE = 'registry.k8s.io/pause:3.9';
const IMAGE = 'busybox:latest';
/** Issue #19's goals: p99 at most this times raw Docker's (at 10/s), p50 at most raw's plus this (at 2/s). */
const GOAL_RATIO = 1.5;
const GOAL_P50_OVER_RAW_MS = 100;
/** No pod reaching Running for this long means the kubelet is stuck: report what ran by then. */
const STALL_MS = 60_000;

function benchPod(i: number): Pod {
  return {
    metadata: { name: `pod-${i}`, namespace: NAMESPACE },
    spec: {
      containers: [{ name: 'sleep', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

/**
 * `load.pods` calls of `task` at `load.rate` per second, their latencies; the first failure is thrown once
 * every call has settled (paced leaves a rejection unhandled while it waits, which would end the process).
 */
async function pacedOrThrow(load: Load, task: (i: number) => Promise<unknown>): Promise<number[]> {
  let failure: unknown;
  const latencies = await paced(load.pods, load.rate, (i) => task(i).catch((err) => void (failure ??= err)));
  if (failure !== undefined) throw failure;
  return latencies;
}

const allRunning = (pod: Pod) => {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.length === pod.spec.containers.length && statuses.every((s) => !!s.state?.running);
};

// ---- the kubelet path -----------------------------------------------------------------------------------

/**
 * The stages of a pod's path, in the order the API shows them: each is ms from just before the create
 * was sent to the moment it was seen (the create's response, or the pod watch's event), by pod name.
 */
interface Startup {
  /** The create's response arrived (API: admission, the write to etcd). */
  created: Map<string, number>;
  /** spec.nodeName seen (the scheduler's queue, its decision, the bind). */
  bound: Map<string, number>;
  /** status.hostIP seen: the kubelet's first status write (its watch, the pod worker, that write). */
  kubeletStatus: Map<string, number>;
  /** Every container running (the sandbox, the containers, the status write after them). */
  running: Map<string, number>;
  /** The Ready condition True. */
  ready: Map<string, number>;
}

const isReady = (pod: Pod) => !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Watches the namespace's pods from `resourceVersion`; latencies count from `sentAt` of each pod. */
function watchStartup(client: Client, resourceVersion: string, sentAt: Map<string, bigint>, signal: AbortSignal): Startup {
  const startup: Startup = { created: new Map(), bound: new Map(), kubeletStatus: new Map(), running: new Map(), ready: new Map() };
  const seen = (stage: Map<string, number>, name: string, start: bigint) => {
    if (!stage.has(name)) stage.set(name, since(start));
  };
  const onPod = (pod: Pod) => {
    const name = pod.metadata.name!;
    const start = sentAt.get(name);
    if (start === undefined) return;
    if (pod.spec.nodeName) seen(startup.bound, name, start);
    if (pod.status?.hostIP) seen(startup.kubeletStatus, name, start);
    if (allRunning(pod)) seen(startup.running, name, start);
    if (isReady(pod)) seen(startup.ready, name, start);
  };
  client
    .resource<Pod>(Pods)
    .watch(NAMESPACE, { resourceVersion }, (e) => onPod(e.object), signal)
    .catch((err) => process.stderr.write(`pod watch failed: ${err}\n`));
  return startup;
}

/** The node flags that make the kubelet write a CPU profile when it exits. */
function profileArgs(): string[] {
  if (!CPU_PROF_DIR) return [];
  fs.mkdirSync(CPU_PROF_DIR, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`];
}

function startScheduler(cp: ControlPlane): Proc {
  const main = path.join(DIST, 'scheduler', 'main.js');
  // A scheduler that serves health and metrics gets an ephemeral port, so it never collides with another's.
  const securePort = fs.readFileSync(main, 'utf8').includes("'secure-port'") ? ['--secure-port=0'] : [];
  return startProcess(
    process.execPath,
    [main, `--kubeconfig=${cp.componentKubeconfig('scheduler')}`, '--leader-elect=false', ...securePort],
    path.join(cp.dir, 'scheduler.log'),
  );
}

async function startKubelet(cp: ControlPlane): Promise<Proc> {
  return startProcess(
    process.execPath,
    [
      ...nodeOptions('kubelet'),
      ...profileArgs(),
      path.join(DIST, 'kubelet', 'main.js'),
      `--kubeconfig=${cp.componentKubeconfig(`kubelet-${NODE}`)}`,
      `--client-ca-file=${cp.caFile}`,
      `--node-name=${NODE}`,
      '--node-ip=127.0.0.1',
      `--port=${await freePort()}`,
      '--address=127.0.0.1',
      `--root-dir=${path.join(cp.dir, 'kubelet', NODE)}`,
      `--docker-endpoint=${DOCKER_ENDPOINT}`,
      `--pod-network=${POD_NETWORK}`,
      `--pod-network-cidr=${POD_NETWORK_CIDR}`,
      `--pod-cidr=${POD_CIDR}`,
      `--pod-infra-container-image=${INFRA_IMAGE}`,
      '--cleanup-on-stop=true',
    ],
    path.join(cp.dir, 'kubelet.log'),
  );
}

const exited = (p: Proc) => p.child.exitCode !== null || p.child.signalCode !== null;

/** SIGTERM, then up to `ms` for the process's own clean-up (startProcess's stop kills after 5 s). */
async function stopGracefully(p: Proc, ms: number): Promise<void> {
  if (exited(p)) return;
  const gone = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
  await p.stop(); // SIGKILL after 5 s more if it is still there
}

async function measureKubelet(cp: ControlPlane, kubelet: Proc, log: string, load: Load): Promise<Startup> {
  const client = new Client(cp.config);
  const pods = client.resource<Pod>(Pods);
  const { resourceVersion } = (await pods.list(NAMESPACE)).metadata;
  const sentAt = new Map<string, bigint>();
  const abort = new AbortController();
  try {
    const startup = watchStartup(new Client(cp.config), resourceVersion!, sentAt, abort.signal);
    await pacedOrThrow(load, (i) => {
      const pod = benchPod(i);
      const start = process.hrtime.bigint();
      sentAt.set(pod.metadata.name!, start);
      return pods.create(pod).then(() => startup.created.set(pod.metadata.name!, since(start)));
    });
    let progress = { count: 0, at: process.hrtime.bigint() };
    await waitFor(
      () => {
        if (startup.running.size !== progress.count) progress = { count: startup.running.size, at: process.hrtime.bigint() };
        return exited(kubelet) || startup.running.size === load.pods || since(progress.at) > STALL_MS;
      },
      { timeoutMs: Infinity, intervalMs: 20 },
    );
    if (startup.running.size < load.pods)
      process.stderr.write(
        `${startup.running.size} of ${load.pods} pods running; the kubelet's last log lines:\n${fs.readFileSync(log, 'utf8').slice(-2000)}\n`,
      );
    return startup;
  } finally {
    abort.abort();
  }
}

/** Waits for the kubelet to register its Node, report it Ready and start syncing pods. */
async function waitForNodeReady(cp: ControlPlane, kubelet: Proc, log: string): Promise<void> {
  const nodes = new Client(cp.config).resource<Node>(Nodes);
  await waitFor(
    async () => {
      if (exited(kubelet)) throw new Error(`the kubelet exited: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
      const node = await nodes.get(undefined, NODE);
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    },
    { timeoutMs: 60_000, what: `node ${NODE} to be Ready` },
  );
  // It registers the Node before it makes the pod network; this line comes once both are done.
  await waitFor(() => fs.readFileSync(log, 'utf8').includes('"msg":"kubelet started"'), {
    timeoutMs: 60_000,
    what: 'the kubelet to start its sync loop',
  });
}

/** Deletes the pods and waits (up to a minute) for the kubelet to stop their containers and finish the deletes. */
async function deletePods(cp: ControlPlane): Promise<void> {
  const pods = new Client(cp.config).resource<Pod>(Pods);
  const list = await pods.list(NAMESPACE);
  await Promise.all(list.items.map((p) => pods.delete(NAMESPACE, p.metadata.name!).catch(() => undefined)));
  await waitFor(async () => (await pods.list(NAMESPACE)).items.length === 0, {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: 'the pods to be deleted',
  }).catch((err) => process.stderr.write(`${err}\n`));
}

/** Waits (up to a minute) until none of the node's containers is running: the next load starts on an idle engine. */
async function waitForNoRunningContainers(runtime: DockerRuntime): Promise<void> {
  await waitFor(async () => (await runtime.listContainers(NODE)).every((c) => c.state !== 'running'), {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: `the containers of ${NODE} to stop`,
  }).catch((err) => process.stderr.write(`${err}\n`));
}

// ---- the limit: the same containers through the runtime alone ------------------------------------------

function rawLabels(i: number, container: string): Record<string, string> {
  return {
    [LABELS.podName]: `raw-${i}`,
    [LABELS.podNamespace]: NAMESPACE,
    [LABELS.podUid]: `bench-raw-${i}`,
    [LABELS.containerName]: container,
    [LABELS.nodeName]: RAW_NODE,
    [LABELS.restartCount]: '0',
  };
}

/** Removes the limit's containers, all of them or all but `keep`. */
async function removeRaw(runtime: DockerRuntime, keep?: string): Promise<void> {
  for (const c of await runtime.listContainers(RAW_NODE)) if (c.id !== keep) await runtime.removeContainer(c.id);
}

/**
 * A pause container on the pod network until the end: the kubelet's --cleanup-on-stop removes the network
 * when no container uses it, and another cluster on this engine may be using it without a pod right now.
 */
async function holdPodNetwork(runtime: DockerRuntime): Promise<string> {
  const { base, size } = parseCidr(RAW_CIDR);
  return runtime.runSandbox({
    name: 'bench-raw_network-guard',
    image: INFRA_IMAGE,
    hostname: 'network-guard',
    network: POD_NETWORK,
    ip: intToIp(base + size - 2),
    labels: { ...rawLabels(-1, INFRA_NAME), [LABELS.podName]: 'network-guard' },
    portBindings: [],
    dns: undefined,
  });
}

/** Per pod: pause container on the pod network, then the app container in its namespaces; ms to running. */
async function measureRaw(runtime: DockerRuntime, load: Load): Promise<number[]> {
  const { base, size } = parseCidr(RAW_CIDR);
  if (load.pods > size - 4) throw new Error(`at most ${size - 4} pods: the raw containers' addresses come from ${RAW_CIDR}`);
  return pacedOrThrow(load, async (i) => {
    const sandbox = await runtime.runSandbox({
      name: `bench-raw_${INFRA_NAME}_${i}`,
      image: INFRA_IMAGE,
      hostname: `raw-${i}`,
      network: POD_NETWORK,
      ip: intToIp(base + 2 + i),
      labels: rawLabels(i, INFRA_NAME),
      portBindings: [],
      dns: undefined,
    });
    await runtime.runContainer(sandbox, {
      name: `bench-raw_sleep_${i}`,
      image: IMAGE,
      command: ['sleep', '3600'],
      args: [],
      env: [],
      mounts: [],
      labels: rawLabels(i, 'sleep'),
    });
  });
}

// ---- report ---------------------------------------------------------------------------------------------

/** The stages in order, each with what happens between the previous one and it. */
const STAGES: [keyof Startup, string][] = [
  ['created', 'create sent -> response (API)'],
  ['bound', '-> bound seen (scheduler queue + bind)'],
  ['kubeletStatus', "-> kubelet's first status seen (its watch, pod worker, status write)"],
  ['running', '-> all containers running seen (sandbox, containers, status write)'],
  ['ready', '-> Ready seen'],
];

/** Per stage, over the pods that reached it: ms since the create was sent, and ms since the stage before. */
function stageRows(startup: Startup, load: Load): (string | number)[][] {
  return STAGES.map(([stage, what], i) => {
    const at = startup[stage];
    const previous = i === 0 ? undefined : startup[STAGES[i - 1][0]];
    const gaps = [...at].map(([name, ms]) => ms - (previous?.get(name) ?? 0));
    const total = summarize([...at.values()]);
    const gap = summarize(gaps);
    return [what, `${at.size}/${load.pods}`, total.p50, total.p99, gap.p50, gap.p99];
  });
}

/** The kubelet's histograms of the pod path (Kubernetes' names), scraped through the apiserver's node proxy. */
const KUBELET_HISTOGRAMS = [
  'kubelet_pod_start_duration_seconds',
  'kubelet_pod_worker_start_duration_seconds',
  'kubelet_pod_worker_duration_seconds',
  'kubelet_runtime_operations_duration_seconds',
];

async function kubeletMetrics(cp: ControlPlane): Promise<string> {
  const res = await new Client(cp.config).stream('GET', `/api/v1/nodes/${NODE}/proxy/metrics`, { accept: 'text/plain' });
  let text = '';
  for await (const chunk of res) text += chunk;
  return text;
}

/** From Prometheus text: the _sum and _count of each series of `histograms`, by name{labels}. */
function histogramTotals(text: string, histograms: string[]): Map<string, { sum: number; count: number }> {
  const totals = new Map<string, { sum: number; count: number }>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)_(sum|count)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || !histograms.includes(m[1])) continue;
    const series = `${m[1]}${m[3] ?? ''}`;
    const total = totals.get(series) ?? { sum: 0, count: 0 };
    total[m[2] as 'sum' | 'count'] = Number(m[4]);
    totals.set(series, total);
  }
  return totals;
}

/** Each series as [name{labels}, count, mean ms] over what was observed between two scrapes. */
function histogramMeans(before: string, after: string, histograms: string[]): [string, number, number][] {
  const earlier = histogramTotals(before, histograms);
  const rows: [string, number, number][] = [];
  for (const [series, { sum, count }] of histogramTotals(after, histograms)) {
    const was = earlier.get(series) ?? { sum: 0, count: 0 };
    if (count > was.count) rows.push([series, count - was.count, ((sum - was.sum) / (count - was.count)) * 1000]);
  }
  return rows;
}

function print(dockerVersion: string, load: Load, raw: number[], startup: Startup, metrics: [string, string] | undefined): void {
  const kubelet = [...startup.running.values()];
  const row = (what: string, ms: number[]) => {
    const s = summarize(ms);
    return [what, `${ms.length}/${load.pods}`, s.p50, s.p90, s.p99];
  };
  process.stdout.write(
    `${machine()}, Docker engine ${dockerVersion}; ${load.pods} pods created at ${load.rate}/s on one kubelet (busybox sleep, image present)\n\n`,
  );
  process.stdout.write(
    `${table([
      ['path', 'pods running', 'p50 ms', 'p90 ms', 'p99 ms'],
      row('raw Docker: pause + app container (limit)', raw),
      row('create to bound (scheduler)', [...startup.bound.values()]),
      row('create to all containers running', kubelet),
    ])}\n\n`,
  );
  process.stdout.write(
    `where the time goes, per pod (each stage as the benchmark saw it: the create's response, then the pod watch):\n${table([
      ['stage', 'pods', 'since create p50 ms', 'p99 ms', 'this stage p50 ms', 'p99 ms'],
      ...stageRows(startup, load),
    ])}\n\n`,
  );
  if (metrics !== undefined)
    process.stdout.write(
      `the kubelet's own histograms (this load; mean = _sum / _count):\n${table([
        ['series', 'count', 'mean ms'],
        ...histogramMeans(...metrics, KUBELET_HISTOGRAMS),
      ])}\n\n`,
    );
  const [r, k] = [summarize(raw), summarize(kubelet)];
  const all = kubelet.length === load.pods ? '' : `, only ${kubelet.length}/${load.pods} pods running`;
  const verdict = (met: boolean) => (met && !all ? 'met' : `NOT met${all}`);
  process.stdout.write(
    load.goal === 'p99-ratio'
      ? `pod startup at ${load.rate}/s, p99: ${k.p99.toFixed(0)} ms = ${(k.p99 / r.p99).toFixed(2)}x raw Docker (${r.p99.toFixed(0)} ms) ` +
          `(goal: at most ${GOAL_RATIO}x): ${verdict(k.p99 <= GOAL_RATIO * r.p99)}\n\n`
      : `pod startup at ${load.rate}/s, p50: ${k.p50.toFixed(0)} ms = raw Docker (${r.p50.toFixed(0)} ms) + ${(k.p50 - r.p50).toFixed(0)} ms ` +
          `(goal: at most raw + ${GOAL_P50_OVER_RAW_MS} ms): ${verdict(k.p50 <= r.p50 + GOAL_P50_OVER_RAW_MS)}\n\n`,
  );
}

export async function run(): Promise<void> {
  const runtime = new DockerRuntime(DOCKER_ENDPOINT);
  const cp = await startControlPlane([], [NODE]);
  let scheduler: Proc | undefined;
  let kubelet: Proc | undefined;
  try {
    scheduler = startScheduler(cp);
    kubelet = await startKubelet(cp);
    const log = path.join(cp.dir, 'kubelet.log');
    // A Ready kubelet has made the pod network the limit's containers join; it stays idle meanwhile.
    await waitForNodeReady(cp, kubelet, log);
    const dockerVersion = await runtime.version();
    await removeRaw(runtime); // left by an interrupted run
    const guard = await holdPodNetwork(runtime);
    await new Client(cp.config).resource<Namespace>(Namespaces).create({ metadata: { name: NAMESPACE } });
    const scrape = () => kubeletMetrics(cp).catch((err) => void process.stderr.write(`scraping the kubelet's metrics failed: ${err}\n`));
    for (const load of LOADS) {
      const raw = await measureRaw(runtime, load).finally(() => removeRaw(runtime, guard));
      const before = await scrape();
      const startup = await measureKubelet(cp, kubelet, log, load);
      const after = await scrape();
      print(dockerVersion, load, raw, startup, before !== undefined && after !== undefined ? [before, after] : undefined);
      await deletePods(cp);
      await waitForNoRunningContainers(runtime);
    }
  } finally {
    await deletePods(cp).catch(() => undefined);
    if (kubelet) await stopGracefully(kubelet, 60_000); // --cleanup-on-stop removes what is left of its pods
    await scheduler?.stop();
    await cp.stop();
    await removeRaw(runtime).catch(() => undefined); // the network guard too, now the kubelet is gone
    // What the kubelet's --cleanup-on-stop left for the guard's sake: a host keeps nothing of a finished run.
    await runtime.removeNetworkIfUnused(POD_NETWORK).catch(() => undefined);
    const left = await runtime.listContainers(NODE);
    if (left.length) {
      process.stderr.write(`${left.length} containers of ${NODE} were left behind; removing them\n`);
      for (const c of left) await runtime.removeContainer(c.id);
    }
  }
}

runIfMain(module, run);
