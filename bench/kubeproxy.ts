// kube-proxy's cost, measured against a direct connection to the same pod, in both modes (userspace, the
// default, then iptables: test/iptablesproxy.ts puts one in the launcher's place), each figure right after
// the same one measured direct, with the load average beside each path (the machine is shared): bulk
// throughput over 1 and 8 connections, 1-byte request/response latency over one connection, and small
// HTTP requests from wrk (Debian's) at 1 to 64 connections, kept alive and with a new connection per
// request (where a userspace proxy pays most). The server is a Node.js pod (the mini-k8s/node:20 image)
// with a source port, an echo port and an HTTP port (Node's server keeps connections alive); the clients
// are this process and wrk, on the node (NodePort on 127.0.0.1, ClusterIP through kube-ipvs0).
//   npm run bench, or node dist/bench/kubeproxy.js
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Pod, Service } from '../shared/api/core';
import { Pods, Services } from '../shared/api/resources';
import { IptablesKubeProxy } from '../test/iptablesproxy';
import { waitFor } from '../test/processes';
import { startCluster } from './cluster';
import { machine, runIfMain, summarize, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
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

/** One figure of the benchmark (higher is better), measured on a path. */
interface Point {
  name: string;
  measure(t: Target): Promise<number>;
}

const keptAlive = (c: number): Point => ({ name: `kept alive ${c}`, measure: async (t) => wrk(t.host, t.port(9002), c, false) });
const newConnections = (c: number): Point => ({ name: `new conn ${c}`, measure: async (t) => wrk(t.host, t.port(9002), c, true) });

const POINTS: Point[] = [
  { name: 'bulk 1 conn MB/s', measure: (t) => bulk(t.host, t.port(9000), 1) },
  { name: 'bulk 8 conn MB/s', measure: (t) => bulk(t.host, t.port(9000), 8) },
  // As a rate (round trips per second at p50), so that higher is better like the others.
  { name: 'ping', measure: async (t) => 1000 / summarize(await pingPong(t.host, t.port(9001))).p50 },
  ...CONNECTIONS.map(keptAlive),
  ...CONNECTIONS.map(newConnections),
];

/** A proxied path's figures, each beside the direct one measured just before it. */
interface Paired {
  name: string;
  direct: number[];
  proxied: number[];
  /** 1-minute load averages sampled at each point: the lowest and the highest. */
  load: [number, number];
  /** SYNs this host sent again while measuring direct and while measuring the path (see synRetransmits). */
  synRetransmits: { direct: number; proxied: number };
}

/**
 * SYNs this host has sent again (TcpExt TCPSynRetrans): each is a connection that waited a second or
 * more for its handshake. Through the iptables proxier they come from the pod refusing a SYN as old: the
 * masquerade rule picks a random source port (`--random-fully`, as Kubernetes' kube-proxy does), so a new
 * connection can meet, at the pod, the four-tuple of one in TIME_WAIT there (the server closes first),
 * and this kernel's TCP timestamp offsets depend on the ports, so its timestamp is older than the last one
 * the pod saw on that four-tuple (the pod counts it as TcpExt PAWSTimewait). Printed beside the figures
 * so that a low one shows whether that is its cause.
 */
function synRetransmits(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith('TcpExt:'));
  const names = lines[at].split(' ');
  return Number(lines[at + 1].split(' ')[names.indexOf('TCPSynRetrans')]);
}

/**
 * Measures every point on each path right after measuring it directly, so that a load which drifts during
 * the run changes both figures of a pair alike and cannot fake a ratio.
 */
async function measurePaired(direct: Target, path: Target): Promise<Paired> {
  const pair: Paired = { name: path.name, direct: [], proxied: [], load: [Infinity, 0], synRetransmits: { direct: 0, proxied: 0 } };
  const measure = async (point: Point, target: Target, side: 'direct' | 'proxied') => {
    const before = synRetransmits();
    pair[side].push(await point.measure(target));
    pair.synRetransmits[side] += synRetransmits() - before;
  };
  for (const point of POINTS) {
    const load = os.loadavg()[0];
    pair.load = [Math.min(pair.load[0], load), Math.max(pair.load[1], load)];
    await measure(point, direct, 'direct');
    await measure(point, path, 'proxied');
  }
  return pair;
}

const pct = (x: number, of: number) => `${((x / of) * 100).toFixed(0)}%`;
const round = (x: number) => String(Math.round(x));
const pingMs = (rate: number) => (1000 / rate).toFixed(3);

function report(all: Paired[]): string {
  const section = (title: string, indexes: number[], format: (x: number) => string, headers: string[]) =>
    `${title}:\n${table([
      ['path', ...headers, 'load avg (1 min)'],
      ...all.flatMap((p) => {
        const load = `${p.load[0].toFixed(1)}-${p.load[1].toFixed(1)}`;
        return [
          ['  direct, just before', ...indexes.map((i) => format(p.direct[i])), load],
          [p.name, ...indexes.map((i) => `${format(p.proxied[i])} (${pct(p.proxied[i], p.direct[i])})`), ''],
        ];
      }),
    ])}`;
  const from = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);
  return [
    section('bulk MB/s', [0, 1], round, ['1 conn', '8 conns']),
    section('1-byte ping p50 ms (in brackets: direct p50 / this p50)', [2], pingMs, ['p50']),
    section(`wrk req/s, kept-alive connections, ${WRK_SECONDS} s per point`, from(3, CONNECTIONS.length), round, CONNECTIONS.map(String)),
    section(
      `wrk req/s, a new connection per request (Connection: close), ${WRK_SECONDS} s per point`,
      from(3 + CONNECTIONS.length, CONNECTIONS.length),
      round,
      CONNECTIONS.map(String),
    ),
    `SYNs sent again while measuring (TcpExt TCPSynRetrans, each a connection that waited 1 s or more):\n${table([
      ['path', 'direct, just before', 'this path'],
      ...all.map((p) => [p.name, String(p.synRetransmits.direct), String(p.synRetransmits.proxied)]),
    ])}`,
  ].join('\n\n');
}

/** The issue's goals: userspace at least 70% of direct, iptables at least 90%, for bulk and for HTTP at every point. */
function verdicts(all: Paired[]): string {
  return all
    .map((p) => {
      const goal = p.name.startsWith('iptables') ? 0.9 : 0.7;
      const ratio = (i: number) => p.proxied[i] / p.direct[i];
      const worst = (first: number) => Math.min(...CONNECTIONS.map((_, i) => ratio(first + i)));
      const checks: [string, number][] = [
        ['bulk 1 conn', ratio(0)],
        ['bulk 8 conns', ratio(1)],
        ['HTTP kept-alive (worst point)', worst(3)],
        ['HTTP new connections (worst point)', worst(3 + CONNECTIONS.length)],
      ];
      const parts = checks.map(([what, r]) => `${what} ${(r * 100).toFixed(0)}% ${r >= goal ? 'met' : 'NOT met'}`);
      const added = (1000 / p.proxied[2] - 1000 / p.direct[2]).toFixed(3);
      return `${p.name}: goal at least ${goal * 100}% of direct: ${parts.join('; ')}; added latency p50 ${added} ms`;
    })
    .join('\n');
}

/**
 * The kernel setting that lets a client reuse, for a new connection, a local port whose earlier
 * connection to the same address is still in TIME_WAIT (held 60 s by whichever side closed first).
 * Linux's default, 2, allows it only on loopback. Without it, every new connection to the pod IP (wrk's
 * direct path and the userspace proxy's upstream side alike) made connect() search the 28,232 ephemeral
 * ports past those in TIME_WAIT: after about 16,000 connections in a minute, direct fell from 4,000 to
 * 175-283 req/s with wrk spending 1.8-2.0 of its 2 s in the kernel (2026-12-03 18:55, a busybox httpd
 * pod); with 1, 50,000 connections held 2,500-4,600 req/s. A load generator's host is set so; the benchmark
 * sets it for its run and puts the old value back.
 */
const TIME_WAIT_REUSE = '/proc/sys/net/ipv4/tcp_tw_reuse';

async function withTimeWaitReuse<T>(body: () => Promise<T>): Promise<T> {
  const before = (await readFile(TIME_WAIT_REUSE, 'utf8')).trim();
  const restore = () => writeFileSync(TIME_WAIT_REUSE, before);
  // Ctrl-C or a SIGTERM puts it back too, then ends the process as the signal would have.
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  await writeFile(TIME_WAIT_REUSE, '1');
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    restore();
  }
}

export async function run(): Promise<void> {
  await withTimeWaitReuse(measure);
}

async function measure(): Promise<void> {
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
    const direct: Target = { name: 'direct to the pod IP', host: pod.status!.podIP!, port: (p) => p };
    const all: Paired[] = [];
    await serving(paths('userspace')[0]);
    for (const t of paths('userspace')) all.push(await measurePaired(direct, t));
    const iptables = await IptablesKubeProxy.takeOver(path.join(cluster.dataDir, 'run'));
    try {
      for (const t of paths('iptables')) {
        await serving(t);
        all.push(await measurePaired(direct, t));
      }
    } finally {
      await iptables.giveBack();
    }
    process.stdout.write(
      `${machine()}; ${SECONDS} s per bulk run, ${ROUND_TRIPS} pings, wrk ${WRK_SECONDS} s per point, net.ipv4.tcp_tw_reuse=1 for the run; each figure right after the same one measured direct\n\n${report(all)}\n\n${verdicts(all)}\n`,
    );
  } finally {
    await cluster.stop();
  }
}

runIfMain(module, run);
