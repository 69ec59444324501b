// Memory footprint: the resident set (VmRSS) of every process of a two-node cluster, idle and running
// 100 pods, read from /proc/<pid>/status (the pids are the launcher's pid files), beside the CPU seconds
// each has used by then (what a smaller heap may cost in garbage collection). Beside the sums of RSS it
// prints what the same processes take in memory when the pages of a binary several of them run (the node
// binary's code, about 40 MB resident in each Node.js process) are counted once, as the kernel keeps them.
//   npm run bench, or node dist/bench/footprint.js
import fs from 'node:fs';
import type { Deployment } from '../shared/api/apps';
import type { Pod } from '../shared/api/core';
import { Deployments, Pods } from '../shared/api/resources';
import { waitFor } from '../test/processes';
import { BenchCluster, startCluster } from './cluster';
import { cpuSeconds, fileRssMB, machine, rssMB, runIfMain, table } from './stats';

const PODS = Number(process.env.BENCH_FOOTPRINT_PODS ?? 100);
const SETTLE_MS = 10_000;
const CONTROL_PLANE = ['etcd', 'apiserver', 'scheduler', 'controller-manager'];
const ONE_NODE = ['kubelet-node-1', 'kube-proxy'];

/** A process's resident memory, and which part of it is pages of files it maps (its binary's code first). */
interface Resident {
  rss: number;
  file: number;
  binary: string;
}

const sample = (cluster: BenchCluster) =>
  new Map(
    [...cluster.pids()].map(([name, pid]): [string, Resident] => [
      name,
      { rss: rssMB(pid), file: fileRssMB(pid), binary: fs.readlinkSync(`/proc/${pid}/exe`) },
    ]),
  );

/** The memory that processes take together, with the file pages of each binary counted once (its largest share). */
function countingBinariesOnce(processes: Resident[]): number {
  const fileByBinary = new Map<string, number>();
  for (const p of processes) fileByBinary.set(p.binary, Math.max(fileByBinary.get(p.binary) ?? 0, p.file));
  return processes.reduce((sum, p) => sum + p.rss - p.file, 0) + [...fileByBinary.values()].reduce((a, b) => a + b, 0);
}

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
    const groups: [string, string[]][] = [
      ['control plane (etcd, apiserver, scheduler, controller-manager)', CONTROL_PLANE],
      ['one node (kubelet-node-1 + kube-proxy)', ONE_NODE],
    ];
    const total = (m: Map<string, number>, members: string[]) => members.reduce((s, n) => s + (m.get(n) ?? 0), 0);
    const pick = (m: Map<string, Resident>, key: 'rss' | 'file') => new Map([...m].map(([n, r]) => [n, r[key]]));
    const [idleRss, busyRss, busyFile] = [pick(idle, 'rss'), pick(busy, 'rss'), pick(busy, 'file')];
    const row = (name: string, members: string[]) => [
      name,
      total(idleRss, members).toFixed(0),
      total(busyRss, members).toFixed(0),
      total(busyFile, members).toFixed(0),
      total(idleCpu, members).toFixed(1),
      total(busyCpu, members).toFixed(1),
    ];
    process.stdout.write(`${machine()}; RSS in MB, ${SETTLE_MS / 1000} s after start and after ${PODS} pods run\n\n`);
    process.stdout.write(
      `${table([
        ['process', 'idle MB', `${PODS} pods MB`, `of which file pages MB`, 'CPU s at idle', `CPU s with ${PODS} pods`],
        ...names.map((n) => row(n, [n])),
        ...groups.map(([name, members]) => row(name, members)),
      ])}\n\n`,
    );
    const once = (members: string[]) => countingBinariesOnce(members.flatMap((n) => busy.get(n) ?? [])).toFixed(0);
    process.stdout.write(
      `with ${PODS} pods: control plane ${total(busyRss, CONTROL_PLANE).toFixed(0)} MB RSS (goal: under 250 MB), ${once(CONTROL_PLANE)} MB with each binary's pages counted once; ` +
        `kubelet + kube-proxy ${total(busyRss, ONE_NODE).toFixed(0)} MB RSS (goal: under 120 MB), ${once(ONE_NODE)} MB counted once\n`,
    );
  } finally {
    await cluster.stop();
  }
}

runIfMain(module, run);
