// How the control plane's cost grows with the cluster, kubemark-style: hollow nodes (bench/hollownodes.ts:
// real kubelets over an in-memory runtime, so every node registers, renews its Lease, posts its status,
// watches its pods and writes their status and events) against a real etcd, apiserver, scheduler and
// controller-manager. Each step grows the cluster to its node and pod count (pods created at a fixed
// rate), then measures against Kubernetes' SLOs: pod startup p99 <= 5 s (create to Running and Ready, as
// a watch sees it), mutating API p99 <= 1 s (a ConfigMap writer at 10/s during the pod churn), list p99
// <= 30 s (every pod of the cluster); and each control-plane process's CPU (during the churn and idle)
// and resident memory.
//   npm run bench:scale; BENCH_SCALE_STEPS=nodes:pods,... (default 10:1000,100:3000,500:10000) and
//   BENCH_SCALE_POD_RATE (pods/s, default 20) change it.
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, Namespace, Node, Pod } from '../shared/api/core';
import { ConfigMaps, Namespaces, Nodes, Pods } from '../shared/api/resources';
import { Client } from '../shared/client';
import { ControlPlane, DIST, Proc, startControlPlane, startProcess, waitFor, freePort } from '../test/processes';
import { cpuSeconds, machine, paced, rssMB, runIfMain, summarize, table } from './stats';

interface Step {
  nodes: number;
  pods: number;
}

const STEPS: Step[] = (process.env.BENCH_SCALE_STEPS ?? '10:1000,100:3000,500:10000').split(',').map((s) => {
  const [nodes, pods] = s.split(':').map(Number);
  return { nodes, pods };
});
const POD_RATE = Number(process.env.BENCH_SCALE_POD_RATE ?? 20);
const NAMESPACE = 'bench-scale';
const PROBE_RATE = 10;
const IDLE_MS = 20_000;
const LISTS = 5;
/** No pod became Running for this long: the step has stalled, report what it reached. */
const STALL_MS = 60_000;
const SLO = { startupP99Ms: 5_000, mutatingP99Ms: 1_000, listP99Ms: 30_000 };
const CLUSTER_CIDR = '10.128.0.0/10';

const nodeName = (n: number) => `hollow-node-${n}`;

function pod(i: number): Pod {
  return {
    metadata: { name: `pod-${i}`, namespace: NAMESPACE, labels: { app: 'scale' } },
    spec: {
      nodeSelector: { type: 'hollow' },
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }],
    },
  };
}

const isRunningAndReady = (p: Pod) =>
  p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** When each pod was asked for, and when the watch first saw it bound to a node and Running and Ready. */
class Startups {
  readonly created = new Map<string, bigint>();
  readonly bound = new Map<string, bigint>();
  readonly running = new Map<string, bigint>();

  observe(p: Pod): void {
    const name = p.metadata.name!;
    if (!this.bound.has(name) && p.spec.nodeName) this.bound.set(name, process.hrtime.bigint());
    if (!this.running.has(name) && isRunningAndReady(p)) this.running.set(name, process.hrtime.bigint());
  }

  /** Milliseconds from creation to `stage` of each pod that reached it. */
  latenciesMs(names: string[], stage: Map<string, bigint>): number[] {
    return names.flatMap((n) => {
      const [c, r] = [this.created.get(n), stage.get(n)];
      return c !== undefined && r !== undefined ? [Math.max(0, Number(r - c) / 1e6)] : [];
    });
  }
}

function controlPlaneProcess(cp: ControlPlane, name: 'scheduler' | 'controller-manager', args: string[]): Proc {
  return startProcess(
    process.execPath,
    [path.join(DIST, name, 'main.js'), `--kubeconfig=${cp.componentKubeconfig(name)}`, '--leader-elect=false', ...args],
    path.join(cp.dir, `${name}.log`),
  );
}

/** One process of hollow nodes; resolves once they have all started. */
async function startHollowNodes(cp: ControlPlane, names: string[], index: number): Promise<ChildProcess> {
  const log = fs.openSync(path.join(cp.dir, `hollow-nodes-${index}.log`), 'a');
  const child = fork(
    path.join(DIST, 'bench', 'hollownodes.js'),
    [
      `--nodes=${names.join(',')}`,
      `--kubeconfig-pattern=${cp.componentKubeconfig('kubelet-{node}')}`,
      `--root-dir=${path.join(cp.dir, 'hollow')}`,
    ],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', log, log, 'ipc'] },
  );
  fs.closeSync(log);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`hollow nodes exited (${code}): see ${cp.dir}/hollow-nodes-${index}.log`)));
  });
  return child;
}

const readyNodes = async (client: Client) =>
  (await client.resource<Node>(Nodes).list()).items.filter((n) =>
    n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;

/** CPU seconds of each process, so a step's share can be taken as a difference. */
const cpuOf = (pids: Map<string, number>) => new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));

function coresBetween(before: Map<string, number>, after: Map<string, number>, seconds: number): Map<string, number> {
  return new Map([...after].map(([name, cpu]) => [name, (cpu - (before.get(name) ?? 0)) / seconds]));
}

interface StepResult {
  step: Step;
  startup: { p50: number; p99: number; running: number };
  /** Creation to bound, the API's and the scheduler's part of the startup. */
  binding: { p50: number; p99: number };
  mutatingP99: number;
  listP99: number;
  churnCores: Map<string, number>;
  idleCores: Map<string, number>;
  rss: Map<string, number>;
  failures: { probe: number; pods: number };
  /** The machine's 1-minute load average at the end of the churn: other work on it slows every figure. */
  load: number;
}

async function runStep(client: Client, step: Step, from: number, startups: Startups, pids: () => Map<string, number>): Promise<StepResult> {
  const names = Array.from({ length: step.pods - from }, (_, k) => `pod-${from + k}`);
  const probe = new Client(client.config);
  // A write that fails (the client gives up after 30 s) counts with the time it took, and is counted.
  const failures = { probe: 0, pods: 0 };
  let probing = true;
  const probeLatencies: Promise<number[]> = (async () => {
    const all: number[] = [];
    let i = 0;
    while (probing) {
      const create = () =>
        probe
          .resource<ConfigMap>(ConfigMaps)
          .create({ metadata: { name: `probe-${step.nodes}-${i++}`, namespace: NAMESPACE } })
          .catch(() => void failures.probe++);
      all.push(...(await paced(PROBE_RATE, PROBE_RATE, create)));
    }
    return all;
  })();

  const churnStart = process.hrtime.bigint();
  const cpuBefore = cpuOf(pids());
  await paced(names.length, POD_RATE, async (k) => {
    startups.created.set(names[k], process.hrtime.bigint());
    await client
      .resource<Pod>(Pods)
      .create(pod(from + k))
      .catch(() => void failures.pods++);
  });
  let progress = { count: -1, at: process.hrtime.bigint() };
  await waitFor(
    () => {
      const running = names.filter((n) => startups.running.has(n)).length;
      if (running !== progress.count) progress = { count: running, at: process.hrtime.bigint() };
      return running === names.length || Number(process.hrtime.bigint() - progress.at) / 1e6 > STALL_MS;
    },
    { timeoutMs: Infinity, intervalMs: 200 },
  );
  probing = false;
  const mutating = summarize(await probeLatencies);
  const churnCores = coresBetween(cpuBefore, cpuOf(pids()), Number(process.hrtime.bigint() - churnStart) / 1e9);
  const load = os.loadavg()[0];

  const idleBefore = cpuOf(pids());
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleCores = coresBetween(idleBefore, cpuOf(pids()), IDLE_MS / 1000);

  const lists: number[] = [];
  for (let i = 0; i < LISTS; i++) {
    const t = process.hrtime.bigint();
    await client
      .resource<Pod>(Pods)
      .list()
      .catch(() => undefined); // a list the client gave up on (30 s) is over the SLO by its time
    lists.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const latencies = startups.latenciesMs(names, startups.running);
  const startup = summarize(latencies);
  return {
    step,
    startup: { p50: startup.p50, p99: startup.p99, running: latencies.length },
    binding: summarize(startups.latenciesMs(names, startups.bound)),
    mutatingP99: mutating.p99,
    listP99: summarize(lists).p99,
    churnCores,
    idleCores,
    rss: new Map([...pids()].map(([name, pid]) => [name, rssMB(pid)])),
    failures,
    load,
  };
}

const COMPONENTS = ['etcd', 'apiserver', 'scheduler', 'controller-manager'];
/** The hollow nodes' processes together: the nodes' side of the traffic, on the same machine. */
const hollowTotal = (m: Map<string, number>) =>
  [...m].filter(([name]) => name.startsWith('hollow-nodes-')).reduce((sum, [, v]) => sum + v, 0);

function print(results: StepResult[]): void {
  const pct = (m: Map<string, number>) => [...COMPONENTS.map((c) => m.get(c) ?? 0), hollowTotal(m)].map((v) => v.toFixed(2)).join(' / ');
  process.stdout.write(
    `\n${table([
      [
        'nodes',
        'pods',
        'Running',
        'startup p50 / p99 ms',
        'of it to bound p50 / p99',
        'mutating p99 ms',
        'list pods p99 ms',
        'churn cores (etcd / api / sched / cm / hollow)',
        'idle cores',
        'RSS MB (etcd / api / sched / cm / hollow)',
        'load',
      ],
      ...results.map((r, i) => [
        r.step.nodes,
        r.step.pods,
        `${r.startup.running}/${r.step.pods - (results[i - 1]?.step.pods ?? 0)}`,
        `${Math.round(r.startup.p50)} / ${Math.round(r.startup.p99)}`,
        `${Math.round(r.binding.p50)} / ${Math.round(r.binding.p99)}`,
        Math.round(r.mutatingP99),
        Math.round(r.listP99),
        pct(r.churnCores),
        pct(r.idleCores),
        [...COMPONENTS.map((c) => r.rss.get(c) ?? 0), hollowTotal(r.rss)].map(Math.round).join(' / '),
        r.load,
      ]),
    ])}\n\n`,
  );
  for (const r of results) {
    const verdict = (name: string, value: number, limit: number) =>
      `${name} ${Math.round(value)} ms (SLO <= ${limit}): ${value <= limit ? 'met' : 'NOT met'}`;
    const busiest = [...r.churnCores].filter(([name]) => COMPONENTS.includes(name)).sort((a, b) => b[1] - a[1])[0];
    process.stdout.write(
      `${r.step.nodes} nodes / ${r.step.pods} pods: ${verdict('pod startup p99', r.startup.p99, SLO.startupP99Ms)}; ` +
        `${verdict('mutating p99', r.mutatingP99, SLO.mutatingP99Ms)} (${r.failures.probe} failed); ` +
        `${verdict('list p99', r.listP99, SLO.listP99Ms)}; ${r.failures.pods} pod creates failed; ` +
        `busiest during churn: ${busiest[0]} at ${busiest[1].toFixed(2)} of ${os.cpus().length} cores\n`,
    );
  }
}

export async function run(): Promise<void> {
  const largest = Math.max(...STEPS.map((s) => s.nodes));
  const allNodes = Array.from({ length: largest }, (_, n) => nodeName(n));
  process.stdout.write(
    `${machine()}; steps ${STEPS.map((s) => `${s.nodes} nodes/${s.pods} pods`).join(', ')}; pods created at ${POD_RATE}/s\n`,
  );
  const cp = await startControlPlane(['--etcd-compaction-interval=5m'], allNodes);
  const procs: Proc[] = [];
  const hollows: ChildProcess[] = [];
  const abort = new AbortController();
  try {
    procs.push(controlPlaneProcess(cp, 'scheduler', [`--secure-port=${await freePort()}`]));
    procs.push(
      controlPlaneProcess(cp, 'controller-manager', [
        `--secure-port=${await freePort()}`,
        `--cluster-cidr=${CLUSTER_CIDR}`,
        '--service-cluster-ip-range=10.96.0.0/12',
      ]),
    );
    const pids = () =>
      new Map<string, number>([
        ['etcd', cp.etcd.child.pid!],
        ['apiserver', cp.apiserver.child.pid!],
        ['scheduler', procs[0].child.pid!],
        ['controller-manager', procs[1].child.pid!],
        ...hollows.map((h, i): [string, number] => [`hollow-nodes-${i}`, h.pid!]),
      ]);
    const client = new Client(cp.config);
    const ns = await client.resource<Namespace>(Namespaces).create({ metadata: { name: NAMESPACE } });
    const startups = new Startups();
    void client
      .resource<Pod>(Pods)
      .watch(NAMESPACE, { resourceVersion: ns.metadata.resourceVersion }, (e) => startups.observe(e.object), abort.signal)
      .catch((err) => process.stderr.write(`pod watch failed: ${err}\n`));

    const results: StepResult[] = [];
    let [nodes, pods] = [0, 0];
    for (const step of STEPS) {
      hollows.push(await startHollowNodes(cp, allNodes.slice(nodes, step.nodes), hollows.length));
      await waitFor(async () => (await readyNodes(client)) >= step.nodes, { timeoutMs: 300_000, what: `${step.nodes} Ready nodes` });
      const result = await runStep(client, step, pods, startups, pids);
      results.push(result);
      process.stdout.write(`step ${step.nodes} nodes / ${step.pods} pods done: startup p99 ${Math.round(result.startup.p99)} ms\n`);
      [nodes, pods] = [step.nodes, step.pods];
    }
    print(results);
  } finally {
    abort.abort();
    await Promise.all(hollows.map((h) => new Promise((r) => (h.exitCode !== null ? r(null) : (h.once('exit', r), h.kill('SIGTERM'))))));
    for (const p of procs) await p.stop();
    await cp.stop();
  }
}

runIfMain(module, run);
