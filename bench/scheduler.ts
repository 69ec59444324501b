// Scheduler throughput, as kubemark measures it: hollow Nodes (Ready, with allocatable resources, no
// kubelet behind them) and pending pods are created first; then the compiled scheduler starts and a watch
// on the pods counts how many get a spec.nodeName, and when. Time to first bind includes the process
// start and the informers' initial list of every node and pod; the rate is taken from first to last bind,
// so it is the scheduling loop alone (filter and score over every node, assume, bind, event).
// The scheduler serves no /metrics, so there is no scheduling-attempts counter to read: the watch is the
// measure. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the scheduler there.
//   npm run bench (all benchmarks), or node dist/bench/scheduler.js (this one);
//   BENCH_NODES and BENCH_PODS change the size.
import fs from 'node:fs';
import path from 'node:path';
import type { Namespace, Node, Pod } from '../shared/api/core';
import { Namespaces, Nodes, Pods } from '../shared/api/resources';
import { Client } from '../shared/client';
import { ControlPlane, DIST, Proc, startControlPlane, startProcess, waitFor } from '../test/processes';
import { load, machine, runIfMain, since, table } from './stats';

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 5000);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
const CONCURRENCY = 16;
const NAMESPACE = 'bench-scheduler';
const GOAL_PODS_PER_SECOND = 300;
/** No bind for this long means the scheduler is stuck or crashed: report what was bound by then. */
const STALL_MS = 30_000;

function hollowNode(i: number): Node {
  const name = `hollow-node-${i}`;
  const resources = { cpu: '4', memory: '16Gi', pods: '110' };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
  };
}

function pendingPod(i: number): Pod {
  return {
    metadata: { name: `pod-${i}`, namespace: NAMESPACE },
    spec: {
      containers: [
        { name: 'sleep', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } },
      ],
    },
  };
}

/** What the pod watch has seen: the bound pods and when the first and last bind arrived. */
interface Binds {
  bound: Set<string>;
  first?: bigint;
  last?: bigint;
}

/** Watches the namespace's pods from `resourceVersion` and records every pod that gains a nodeName. */
function watchBinds(client: Client, resourceVersion: string, signal: AbortSignal): Binds {
  const binds: Binds = { bound: new Set() };
  const onPod = (pod: Pod) => {
    if (!pod.spec.nodeName || binds.bound.has(pod.metadata.name!)) return;
    binds.bound.add(pod.metadata.name!);
    binds.last = process.hrtime.bigint();
    binds.first ??= binds.last;
  };
  client
    .resource<Pod>(Pods)
    .watch(NAMESPACE, { resourceVersion }, (e) => onPod(e.object), signal)
    .catch((err) => process.stderr.write(`pod watch failed: ${err}\n`));
  return binds;
}

/** The node flags that make the scheduler write a CPU profile when it is stopped. */
function profileArgs(): string[] {
  if (!CPU_PROF_DIR) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, '--require', path.join(__dirname, 'exit-on-sigterm.js')];
}

function startScheduler(cp: ControlPlane): Proc {
  const args = [
    ...profileArgs(),
    path.join(DIST, 'scheduler', 'main.js'),
    `--kubeconfig=${cp.componentKubeconfig('scheduler')}`,
    '--leader-elect=false',
  ];
  return startProcess(process.execPath, args, path.join(cp.dir, 'scheduler.log'));
}

/** Waits until every pod is bound, or no pod was bound for STALL_MS; throws if the scheduler exited. */
async function waitForBinds(binds: Binds, scheduler: Proc, log: string): Promise<void> {
  const exited = () => scheduler.child.exitCode !== null || scheduler.child.signalCode !== null;
  let progress = { count: 0, at: process.hrtime.bigint() };
  await waitFor(
    () => {
      if (binds.bound.size !== progress.count) progress = { count: binds.bound.size, at: process.hrtime.bigint() };
      return exited() || binds.bound.size === PODS || since(progress.at) > STALL_MS;
    },
    { timeoutMs: Infinity, intervalMs: 50 },
  );
  if (exited()) throw new Error(`the scheduler exited: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
  if (binds.bound.size < PODS)
    process.stderr.write(
      `no bind for ${STALL_MS / 1000} s; the scheduler's last log lines:\n${fs.readFileSync(log, 'utf8').slice(-2000)}\n`,
    );
}

function print(created: { nodes: number; pods: number }, start: bigint, binds: Binds): void {
  process.stdout.write(
    `${machine()}; ${NODES} hollow nodes, ${PODS} pending pods (created at ${Math.round(created.nodes)} nodes/s and ${Math.round(created.pods)} pods/s, ${CONCURRENCY} concurrent clients)\n\n`,
  );
  if (binds.first === undefined || binds.last === undefined || binds.bound.size < 2) {
    process.stdout.write(
      `scheduling throughput: ${binds.bound.size} of ${PODS} pods bound, no rate to measure (goal: at least ${GOAL_PODS_PER_SECOND} pods/s): NOT met\n`,
    );
    return;
  }
  const bindSeconds = Number(binds.last - binds.first) / 1e9;
  const rate = (binds.bound.size - 1) / bindSeconds; // binds after the first, over the time they took
  process.stdout.write(
    `${table([
      ['pods bound', 'scheduler start to first bind s', 'first to last bind s', 'pods/s'],
      [`${binds.bound.size}/${PODS}`, Number(binds.first - start) / 1e9, bindSeconds, Math.round(rate)],
    ])}\n\n`,
  );
  const met = binds.bound.size === PODS && rate >= GOAL_PODS_PER_SECOND;
  process.stdout.write(
    `scheduling throughput: ${Math.round(rate)} pods/s (goal: at least ${GOAL_PODS_PER_SECOND} pods/s, every pod bound): ${met ? 'met' : 'NOT met'}\n`,
  );
}

export async function run(): Promise<void> {
  const cp = await startControlPlane(['--etcd-compaction-interval=0']);
  const abort = new AbortController();
  let scheduler: Proc | undefined;
  try {
    const client = new Client(cp.config);
    const ns = await client.resource<Namespace>(Namespaces).create({ metadata: { name: NAMESPACE } });
    // Watching from before the pods exist needs no list of them (and a list of thousands of pods is the
    // heaviest request there is); their ADDED events carry no nodeName and are not counted.
    const binds = watchBinds(new Client(cp.config), ns.metadata.resourceVersion!, abort.signal);
    const nodes = await load(NODES, CONCURRENCY, (i) => client.resource<Node>(Nodes).create(hollowNode(i)));
    const pods = await load(PODS, CONCURRENCY, (i) => client.resource<Pod>(Pods).create(pendingPod(i)));
    const start = process.hrtime.bigint();
    scheduler = startScheduler(cp);
    await waitForBinds(binds, scheduler, path.join(cp.dir, 'scheduler.log'));
    print({ nodes: NODES / nodes.seconds, pods: PODS / pods.seconds }, start, binds);
  } finally {
    abort.abort();
    await scheduler?.stop();
    await cp.stop();
  }
}

runIfMain(module, run);
