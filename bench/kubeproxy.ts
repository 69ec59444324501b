// kube-proxy's cost, measured against a direct connection to the same pod in the same run: bulk
// throughput over 1 and 8 connections, 1-byte request/response latency over one connection, and HTTP
// requests per second with a new connection per request (where a userspace proxy pays most). The server
// is a Node.js pod (the mini-k8s/node:20 image) with a source port, an echo port and an HTTP port; the
// client is this process, on the node (NodePort on 127.0.0.1, ClusterIP through kube-ipvs0).
//   npm run bench, or node dist/bench/kubeproxy.js
import http from 'node:http';
import net from 'node:net';
import type { Pod, Service } from '../shared/api/core';
import { Pods, Services } from '../shared/api/resources';
import { waitFor } from '../test/processes';
import { startCluster } from './cluster';
import { machine, runIfMain, summarize, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUND_TRIPS = 2000;
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

/** Round-trip times of 1-byte pings on one connection, in milliseconds. */
async function pingPong(host: string, port: number): Promise<number[]> {
  const s = net.connect({ host, port });
  s.setNoDelay(true);
  await new Promise((r, j) => s.once('connect', r).once('error', j));
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = process.hrtime.bigint();
    await new Promise<void>((r) => {
      s.once('data', () => r());
      s.write('x');
    });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  s.destroy();
  return times;
}

/** HTTP requests per second from 8 clients, each request on a new connection, for SECONDS. */
async function httpRate(host: string, port: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: false });
  let done = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      await new Promise<void>((resolve, reject) =>
        http.get({ host, port, path: '/', agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
      );
      done++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  return done / SECONDS;
}

interface Target {
  name: string;
  host: string;
  port: (containerPort: number) => number;
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
    const targets: Target[] = [
      { name: 'direct to the pod IP (limit)', host: pod.status!.podIP!, port: (p) => p },
      { name: 'NodePort (127.0.0.1)', host: '127.0.0.1', port: nodePort },
      { name: 'ClusterIP', host: svc.spec.clusterIP!, port: (p) => p },
    ];
    await waitFor(() => pingPong(targets[1].host, targets[1].port(9001)).then(() => true), { what: 'kube-proxy serving the NodePort' });

    const rows: (string | number)[][] = [
      ['path', 'bulk 1 conn MB/s', 'bulk 8 conn MB/s', 'ping p50 ms', 'ping p99 ms', 'HTTP req/s (new conn)'],
    ];
    const results = [];
    for (const t of targets) {
      const r = {
        one: await bulk(t.host, t.port(9000), 1),
        eight: await bulk(t.host, t.port(9000), 8),
        ping: summarize(await pingPong(t.host, t.port(9001))),
        rps: await httpRate(t.host, t.port(9002)),
      };
      results.push(r);
      rows.push([t.name, Math.round(r.one), Math.round(r.eight), r.ping.p50.toFixed(3), r.ping.p99.toFixed(3), Math.round(r.rps)]);
    }
    process.stdout.write(`${machine()}; ${SECONDS} s per bulk and HTTP run, ${ROUND_TRIPS} pings\n\n${table(rows)}\n\n`);
    const [direct, ...proxied] = results;
    proxied.forEach((r, i) => {
      const name = targets[i + 1].name;
      process.stdout.write(
        `${name}: bulk ${((r.one / direct.one) * 100).toFixed(0)}% (1 conn) and ${((r.eight / direct.eight) * 100).toFixed(0)}% (8 conns) of direct (goal: at least 60%); ` +
          `added latency p50 ${(r.ping.p50 - direct.ping.p50).toFixed(3)} ms (goal: under 0.3 ms); HTTP ${((r.rps / direct.rps) * 100).toFixed(0)}% of direct\n`,
      );
    });
  } finally {
    await cluster.stop();
  }
}

runIfMain(module, run);
