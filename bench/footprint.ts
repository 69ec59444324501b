// Memory footprint: the resident set (VmRSS) of every process of a two-node cluster, idle and running
// 100 pods, read from /proc/<pid>/status (the pids are the launcher's pid files), beside the CPU seconds
// each has used by then (what a smaller heap may cost in garbage collection).
//   npm run bench, or node dist/bench/footprint.js
import type { Deployment } from '../shared/api/apps';
import type { Pod } from '../shared/api/core';
import { Deployments, Pods } from '../shared/api/resources';
import { waitFor } from '../test/processes';
import { BenchCluster, startCluster } from './cluster';
import { cpuSeconds, machine, rssMB, runIfMain, table } from './stats';

const PODS = Number(process.env.BENCH_FOOTPRINT_PODS ?? 100);
const SETTLE_MS = 10_000;
const CONTROL_PLANE = ['etcd', 'apiserver', 'scheduler', 'controller-manager'];

const sample = (cluster: BenchCluster) => new Map([...cluster.pids()].map(([name, pid]) => [name, rssMB(pid)]));
const cpu = (cluster: BenchCluster) => new Map([...cluster.pids()].map(([name, pid]) => [name, cpuSeconds(pid)]));

function deployment(): Deployment {
  return {
    metadata: { name: 'footprint', namespace: 'default' },
    spec: {
      replicas: PODS,
      selector: { matchLabels: { app: 'footprint' } },
      template: {
        metadata: { labels: { app: 'footprint' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] },
      },
    },
  } as Deployment;
}

export async function run(): Promise<void> {
  const cluster = await startCluster(2);
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const idle = sample(cluster);
    const idleCpu = cpu(cluster);
    await cluster.client.resource<Deployment>(Deployments).create(deployment());
    await waitFor(
      async () => {
        const pods = await cluster.client.resource<Pod>(Pods).list('default', { labelSelector: 'app=footprint' });
        return pods.items.filter((p) => p.status?.phase === 'Running').length === PODS;
      },
      { timeoutMs: 300_000, intervalMs: 2000, what: `${PODS} running pods` },
    );
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const busy = sample(cluster);
    const busyCpu = cpu(cluster);

    const names = [...idle.keys()].sort(
      (a, b) => Number(CONTROL_PLANE.indexOf(b) >= 0) - Number(CONTROL_PLANE.indexOf(a) >= 0) || a.localeCompare(b),
    );
    const sum = (m: Map<string, number>, pick: (n: string) => boolean) => [...m].filter(([n]) => pick(n)).reduce((s, [, v]) => s + v, 0);
    const controlPlane = (m: Map<string, number>) => sum(m, (n) => CONTROL_PLANE.includes(n));
    const perNode = (m: Map<string, number>) => sum(m, (n) => n === 'kubelet-node-1') + (m.get('kube-proxy') ?? 0);
    process.stdout.write(`${machine()}; RSS in MB, ${SETTLE_MS / 1000} s after start and after ${PODS} pods run\n\n`);
    process.stdout.write(
      `${table([
        ['process', 'idle MB', `${PODS} pods MB`, 'CPU s at idle', `CPU s with ${PODS} pods`],
        ...names.map((n) => [
          n,
          idle.get(n)!.toFixed(0),
          (busy.get(n) ?? NaN).toFixed(0),
          idleCpu.get(n)!.toFixed(1),
          (busyCpu.get(n) ?? NaN).toFixed(1),
        ]),
        [
          'control plane (etcd, apiserver, scheduler, controller-manager)',
          controlPlane(idle).toFixed(0),
          controlPlane(busy).toFixed(0),
          controlPlane(idleCpu).toFixed(1),
          controlPlane(busyCpu).toFixed(1),
        ],
        [
          'one node (kubelet-node-1 + kube-proxy)',
          perNode(idle).toFixed(0),
          perNode(busy).toFixed(0),
          perNode(idleCpu).toFixed(1),
          perNode(busyCpu).toFixed(1),
        ],
      ])}\n\n`,
    );
    process.stdout.write(
      `control plane with ${PODS} pods: ${controlPlane(busy).toFixed(0)} MB (goal: under 250 MB); kubelet + kube-proxy: ${perNode(busy).toFixed(0)} MB (goal: under 120 MB)\n`,
    );
  } finally {
    await cluster.stop();
  }
}

runIfMain(module, run);
