// kube-proxy's cost, measured against a direct connection to the same pod in the same run, in both modes
// (userspace, the default, then iptables: test/iptablesproxy.ts puts one in the launcher's place): bulk
// throughput over 1 and 8 connections, 1-byte request/response latency over one connection, and small
// HTTP requests from wrk (Debian's) at 1 to 64 connections, kept alive and with a new connection per
// request (where a userspace proxy pays most). The server is a Node.js pod (the mini-k8s/node:20 image)
// with a source port, an echo port and an HTTP port (Node's server keeps connections alive); the clients
// are this process and wrk, on the node (NodePort on 127.0.0.1, ClusterIP through kube-ipvs0).
//   npm run bench, or node dist/bench/kubeproxy.js
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Pod, Service } from '../shared/api/core';
import { Pods, Services } from '../shared/api/resources';
import { IptablesKubeProxy } from '../test/iptablesproxy';
import { waitFor } from '../test/processes';
import { startCluster } from './cluster';
import { machine, runIfMain, summarize, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUND_TRIPS = 2000;
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 2);
const CONNECTIONS = [1, 2, 4, 8, 16, 32, 64];
const NAMESPACE = 'default';

/** The server: 9000 streams a 1 MiB buffer for as long as the client reads, 9001 echoes, 9002 is HTTP. */
const SERVER = `
const net = require('net'), http = require('http');
const chunk = Buffer.alloc(1 << 20, 120);
net.createServer((s) => { const more = () => { while (s.write(chunk)); }; s.on('drain', more); s.on('error', () => {}); more(); }).listen(9000);
net.createServer((s) => { s.setNoDelay(true); s.pipe(s); s.on('error', () => {}); }).listen(9001);
http.createServer((q, r) => r.end('ok')).listen(9002);
`;

function serverPod(): Pod {
  return {
    metadata: { name: 'proxy-bench', namespace: NAMESPACE, labels: { app: 'proxy-bench' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'server',
          image: 'mini-k8s/node:20',
          imagePullPolicy: 'IfNotPresent',
          command: ['node', '-e', SERVER],
          ports: [9000, 9001, 9002].map((p) => ({ containerPort: p })),
        },
      ],
    },
  } as Pod;
}

function service(): Service {
  return {
    metadata: { name: 'proxy-bench', namespace: NAMESPACE },
    spec: {
      type: 'NodePort',
      selector: { app: 'proxy-bench' },
      ports: [9000, 9001, 9002].map((p) => ({ name: `p${p}`, port: p, targetPort: p, protocol: 'TCP' as const })),
    },
  };
}

/** Bytes read per second over `connections` parallel connections to the source port, for SECONDS. */
async function bulk(host: string, port: number, connections: number): Promise<number> {
  let bytes = 0;
  const sockets = Array.from({ length: connections }, () => {
    const s = net.connect({ host, port });
    s.on('data', (d: Buffer) => (bytes += d.length));
    s.on('error', () => undefined);
    return s;
  });
  await new Promise((r) => setTimeout(r, 500)); // warm up
  const start = bytes;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const total = bytes - start;
  sockets.forEach((s) => s.destroy());
  return total / SECONDS / 1e6;
}

/**
 * Round-trip times of 1-byte pings on one connection, in milliseconds. Fails (never hangs) when the
 * connection is reset or closed, as a proxy does while the Service has no endpoint yet, or an echo is late.
 */
async function pingPong(host: string, port: number): Promise<number[]> {
  const s = net.connect({ host, port });
  s.setNoDelay(true);
  s.setTimeout(5000, () => s.destroy(new Error('no echo within 5 s')));
  const failed = new Promise<never>((_, reject) => s.once('error', reject).once('close', () => reject(new Error('connection closed'))));
  failed.catch(() => undefined);
  await Promise.race([new Promise((r) => s.once('connect', r)), failed]);
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = process.hrtime.bigint();
    await Promise.race([
      new Promise<void>((r) => {
        s.once('data', () => r());
        s.write('x');
      }),
      failed,
    ]);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  s.destroy();
  return times;
}

/** wrk's requests per second at `connections` (kept alive, or a new connection per request), for WRK_SECONDS. */
function wrk(host: string, port: number, connections: number, newConnections: boolean): number {
  const args = ['-t', String(Math.min(2, connections)), '-c', String(connections), '-d', `${WRK_SECONDS}s`];
  if (newConnections) args.push('-H', 'Connection: close');
  const out = execFileSync('wrk', [...args, `http://${host}:${port}/`], { encoding: 'utf8', timeout: (WRK_SECONDS + 10) * 1000 });
  const m = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  if (!m) throw new Error(`wrk printed no rate: ${out}`);
  return Number(m[1]);
}

interface Target {
  name: string;
  host: string;
  port: (containerPort: number) => number;
}

interface Figures {
  name: string;
  one: number;
  eight: number;
  ping: { p50: number; p99: number };
  /** req/s by connection count, kept alive and with a new connection per request. */
  keptAlive: number[];
  newConn: number[];
  load: string;
}

const loadAverage = () => os.loadavg()[0].toFixed(1);

async function measure(t: Target): Promise<Figures> {
  const load = loadAverage();
  const one = await bulk(t.host, t.port(9000), 1);
  const eight = await bulk(t.host, t.port(9000), 8);
  const ping = summarize(await pingPong(t.host, t.port(9001)));
  const keptAlive = CONNECTIONS.map((c) => wrk(t.host, t.port(9002), c, false));
  const newConn = CONNECTIONS.map((c) => wrk(t.host, t.port(9002), c, true));
  return { name: t.name, one, eight, ping, keptAlive, newConn, load: `${load} -> ${loadAverage()}` };
}

const pct = (x: number, of: number) => `${((x / of) * 100).toFixed(0)}%`;

function report(all: Figures[]): string {
  const [direct] = all;
  const bulkRows: (string | number)[][] = [
    ['path', 'bulk 1 conn MB/s', 'bulk 8 conn MB/s', 'ping p50 ms', 'ping p99 ms', 'load avg (1 min)'],
    ...all.map((f) => [
      f.name,
      f === direct ? Math.round(f.one) : `${Math.round(f.one)} (${pct(f.one, direct.one)})`,
      f === direct ? Math.round(f.eight) : `${Math.round(f.eight)} (${pct(f.eight, direct.eight)})`,
      f.ping.p50.toFixed(3),
      f.ping.p99.toFixed(3),
      f.load,
    ]),
  ];
  const curve = (pick: (f: Figures) => number[]) => [
    ['HTTP req/s by connections', ...CONNECTIONS.map(String)],
    ...all.map((f) => [
      f.name,
      ...pick(f).map((r, i) => (f === direct ? String(Math.round(r)) : `${Math.round(r)} (${pct(r, pick(direct)[i])})`)),
    ]),
  ];
  return [
    table(bulkRows),
    `wrk, kept-alive connections, ${WRK_SECONDS} s per point:\n${table(curve((f) => f.keptAlive))}`,
    `wrk, a new connection per request (Connection: close), ${WRK_SECONDS} s per point:\n${table(curve((f) => f.newConn))}`,
  ].join('\n\n');
}

/** The goals: userspace at least 70% of direct, iptables at least 90%, for bulk and for HTTP at every point. */
function verdicts(all: Figures[]): string {
  const [direct, ...proxied] = all;
  return proxied
    .map((f) => {
      const goal = f.name.startsWith('iptables') ? 0.9 : 0.7;
      const worst = (pick: (f: Figures) => number[]) => Math.min(...pick(f).map((r, i) => r / pick(direct)[i]));
      const checks: [string, number][] = [
        ['bulk 1 conn', f.one / direct.one],
        ['bulk 8 conns', f.eight / direct.eight],
        ['HTTP kept-alive (worst point)', worst((x) => x.keptAlive)],
        ['HTTP new connections (worst point)', worst((x) => x.newConn)],
      ];
      const parts = checks.map(([what, r]) => `${what} ${(r * 100).toFixed(0)}% ${r >= goal ? 'met' : 'NOT met'}`);
      return `${f.name}: goal at least ${goal * 100}% of direct: ${parts.join('; ')}; added latency p50 ${(f.ping.p50 - direct.ping.p50).toFixed(3)} ms`;
    })
    .join('\n');
}

export async function run(): Promise<void> {
  const cluster = await startCluster(1);
  try {
    const pods = cluster.client.resource<Pod>(Pods);
    await pods.create(serverPod());
    const svc = await cluster.client.resource<Service>(Services).create(service());
    const pod = await waitFor(
      async () => {
        const p = await pods.get(NAMESPACE, 'proxy-bench');
        return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
      },
      { timeoutMs: 60_000, what: 'the server pod' },
    );
    const nodePort = (p: number) => svc.spec.ports!.find((sp) => sp.port === p)!.nodePort!;
    const paths = (mode: string): Target[] => [
      { name: `${mode} NodePort (127.0.0.1)`, host: '127.0.0.1', port: nodePort },
      { name: `${mode} ClusterIP`, host: svc.spec.clusterIP!, port: (p) => p },
    ];
    const serving = (t: Target) => waitFor(() => pingPong(t.host, t.port(9001)).then(() => true), { what: `${t.name} serving` });
    const all: Figures[] = [];
    await serving(paths('userspace')[0]);
    for (const t of [{ name: 'direct to the pod IP (limit)', host: pod.status!.podIP!, port: (p: number) => p }, ...paths('userspace')])
      all.push(await measure(t));
    const iptables = await IptablesKubeProxy.takeOver(path.join(cluster.dataDir, 'run'));
    try {
      for (const t of paths('iptables')) {
        await serving(t);
        all.push(await measure(t));
      }
    } finally {
      await iptables.giveBack();
    }
    process.stdout.write(
      `${machine()}; ${SECONDS} s per bulk run, ${ROUND_TRIPS} pings, wrk ${WRK_SECONDS} s per point\n\n${report(all)}\n\n${verdicts(all)}\n`,
    );
  } finally {
    await cluster.stop();
  }
}

runIfMain(module, run);
