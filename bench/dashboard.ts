// Dashboard frame time: the page in headless Chromium (Debian's /usr/bin/chromium through playwright-core)
// fed a synthetic cluster of 100 nodes and 3000 pods (100 Deployments of 30 pods, a Service each, events and
// kube-proxy counters) by the dashboard's own server and state, while 300 pods change status every second
// (the server batches them every 100 ms, as it does for informers). Each view is scrolled for a few seconds
// and the time between animation frames recorded: the p95 must stay within the limit, one frame of a page
// that feels live. Also measured: from navigation to the first drawn snapshot.
//   npm run bench (all benchmarks), or node dist/bench/dashboard.js (this one);
//   BENCH_NODES, BENCH_PODS, BENCH_CHURN (pod changes per second), BENCH_SECONDS (per view) change the load.
//   Before/after a change: BENCH_BASELINE_WEB=<a copy of an older dist/dashboard/web> serves that page too,
//   from the same state, and measures the two pages in turns (BENCH_ROUNDS each), so load drifting on a
//   shared machine falls on both alike.
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Client } from '../shared/client';
import { newLogger } from '../shared/log';
import { createDashboardServer } from '../dashboard/server';
import { DashboardState } from '../dashboard/state';
import type { PodView } from '../dashboard/views';
import { machine, percentile, runIfMain, table } from './stats';

const NODES = Number(process.env.BENCH_NODES ?? 100);
const PODS = Number(process.env.BENCH_PODS ?? 3000);
const CHURN = Number(process.env.BENCH_CHURN ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BASELINE_WEB = process.env.BENCH_BASELINE_WEB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (BASELINE_WEB ? 3 : 1));
const PER_DEPLOYMENT = 30;
const LIMIT_P95_MS = 50;
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const now = () => new Date().toISOString();

function pod(i: number, ready: boolean): PodView {
  const d = Math.floor(i / PER_DEPLOYMENT);
  const name = `web-${d}-7d9f8c-${i.toString(36).padStart(5, '0')}`;
  return {
    key: `bench/${name}`,
    namespace: 'bench',
    name,
    uid: `pod-${i}`,
    node: `node-${(i % NODES) + 1}`,
    phase: 'Running',
    status: ready ? 'Running' : 'CrashLoopBackOff',
    ready,
    readyCount: ready ? 1 : 0,
    containerCount: 1,
    restarts: ready ? 0 : 3,
    containers: [
      { name: 'web', init: false, image: 'busybox:1.36', ready, restarts: 0, state: 'running', words: 'running since a moment ago' },
    ],
    owner: { kind: 'ReplicaSet', name: `web-${d}-7d9f8c`, uid: `rs-${d}` },
    labels: { app: `web-${d}` },
    requests: { cpu: 100, memory: 64 * 2 ** 20 },
    ip: `10.244.${Math.floor(i / 250)}.${i % 250}`,
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    why: ready ? undefined : 'Container "web" keeps crashing',
    created: now(),
    deleting: false,
  };
}

/** The synthetic cluster, put into a DashboardState as informers would. */
export function fill(state: DashboardState): void {
  for (let n = 1; n <= NODES; n++) {
    const name = `node-${n}`;
    state.put('nodes', {
      key: name,
      name,
      uid: `node-${n}`,
      ready: 'True',
      unschedulable: false,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      capacity: { cpu: 8000, memory: 32 * 2 ** 30, pods: 110 },
      allocatable: { cpu: 8000, memory: 32 * 2 ** 30, pods: 110 },
      taints: [],
      address: `192.168.0.${n}`,
      kubeletVersion: 'v1.31.0',
      labels: {},
    });
  }
  const deployments = Math.ceil(PODS / PER_DEPLOYMENT);
  for (let d = 0; d < deployments; d++) {
    const base = { namespace: 'bench', conditions: [], scalable: true, created: now() };
    state.put('workloads', {
      ...base,
      key: `Deployment/bench/web-${d}`,
      kind: 'Deployment',
      name: `web-${d}`,
      uid: `dep-${d}`,
      desired: 30,
      ready: 30,
      summary: '30/30 ready, 30 up to date',
    });
    state.put('workloads', {
      ...base,
      key: `ReplicaSet/bench/web-${d}-7d9f8c`,
      kind: 'ReplicaSet',
      name: `web-${d}-7d9f8c`,
      uid: `rs-${d}`,
      owner: { kind: 'Deployment', name: `web-${d}`, uid: `dep-${d}` },
      revision: '1',
      desired: 30,
      ready: 30,
      summary: '30/30 ready',
    });
    state.put('services', {
      key: `bench/web-${d}`,
      namespace: 'bench',
      name: `web-${d}`,
      uid: `svc-${d}`,
      type: 'ClusterIP',
      clusterIP: `10.96.1.${d}`,
      ports: [{ protocol: 'TCP', port: 80, targetPort: '80' }],
      selector: { app: `web-${d}` },
    });
  }
  const endpoints = new Map<number, { ip: string; ready: boolean; pod: string; node: string }[]>();
  for (let i = 0; i < PODS; i++) {
    const p = pod(i, true);
    state.put('pods', p);
    const d = Math.floor(i / PER_DEPLOYMENT);
    if (!endpoints.has(d)) endpoints.set(d, []);
    endpoints.get(d)!.push({ ip: p.ip!, ready: true, pod: p.name, node: p.node! });
    state.put('traffic', {
      key: `bench/web-${d}:|${p.ip}:80`,
      service: `bench/web-${d}:`,
      endpoint: `${p.ip}:80`,
      connections: i % 17,
      active: 0,
      bytesIn: 100 * (i % 17),
      bytesOut: 900 * (i % 17),
    });
  }
  for (const [d, addresses] of endpoints)
    state.put('endpoints', {
      key: `bench/web-${d}`,
      namespace: 'bench',
      name: `web-${d}`,
      ports: [{ port: 80, protocol: 'TCP', addresses }],
    });
  for (let e = 0; e < 1000; e++)
    state.put('events', {
      key: `bench/ev-${e}`,
      namespace: 'bench',
      type: e % 10 ? 'Normal' : 'Warning',
      reason: e % 10 ? 'Started' : 'BackOff',
      message: `Started container web in pod ${e}`,
      object: { kind: 'Pod', name: pod(e, true).name, namespace: 'bench' },
      count: 1,
      last: now(),
      source: 'kubelet',
    });
  state.setWorkloadKinds(['Deployment', 'ReplicaSet']);
  state.flush();
}

/**
 * In the page (a string: this file is compiled without the DOM's types): records the time between
 * animation frames for `ms`, scrolling the view's list a step each frame.
 */
const measureInPage = (selector: string, ms: number) => `new Promise((resolve) => {
  const el = document.querySelector(${JSON.stringify(`${selector} .viewport`)});
  const deltas = [];
  let last = performance.now();
  const end = last + ${ms};
  let direction = 1;
  const step = (t) => {
    deltas.push(t - last);
    last = t;
    if (el) {
      el.scrollTop += 120 * direction;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1 || el.scrollTop <= 0) direction = -direction;
    }
    if (t < end) requestAnimationFrame(step);
    else resolve(deltas.slice(1));
  };
  requestAnimationFrame(step);
})`;

/** The dashboard's server over `state`, serving the page in `webDir`, on a free port: its URL and how to close it. */
async function serve(state: DashboardState, webDir: string, log: ReturnType<typeof newLogger>): Promise<{ url: string; close(): void }> {
  const server = createDashboardServer({
    state,
    client: new Client({ server: 'https://127.0.0.1:1' }),
    apiserver: { server: 'https://127.0.0.1:1' },
    resourceOf: () => undefined,
    webDir,
    log,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export async function run(): Promise<void> {
  const log = newLogger('bench-dashboard');
  log.level = 'warn';
  const state = new DashboardState(100);
  fill(state);
  const pages = [{ name: 'this build', ...(await serve(state, path.join(__dirname, '..', 'dashboard', 'web'), log)) }];
  if (BASELINE_WEB) pages.push({ name: 'baseline', ...(await serve(state, path.resolve(BASELINE_WEB), log)) });
  // The churn: CHURN pod changes a second, a tenth every 100 ms, alternating ready and crash-looping.
  let flips = 0;
  const churn = setInterval(() => {
    for (let k = 0; k < CHURN / 10; k++, flips++) state.put('pods', pod((flips * 7919) % PODS, Math.floor(flips / PODS) % 2 === 1));
  }, 100);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const rows: (string | number)[][] = [['page', 'round', 'view', 'frames', 'p50 ms', 'p95 ms', 'max ms', `limit p95`, 'met?', 'load']];
  const firstRenders: string[] = [];
  let worst = 0;
  try {
    for (let round = 1; round <= ROUNDS; round++)
      for (const { name, url } of pages) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const start = Date.now();
        await page.goto(url);
        await page.waitForSelector(`[data-node="node-${NODES}"], [data-node="node-1"]`, { timeout: 60_000 });
        while (!(await page.evaluate('document.querySelectorAll(".pod-chip").length > 0'))) await new Promise((r) => setTimeout(r, 20));
        firstRenders.push(`${name} ${Date.now() - start} ms`);
        for (const view of ['cluster', 'workloads', 'services', 'events']) {
          await page.click(`#tab-${view}`);
          await page.waitForTimeout(300); // its first draw, not part of the scrolling measured
          const deltas = ((await page.evaluate(measureInPage(`#panel-${view}`, SECONDS * 1000))) as number[]).sort((a, b) => a - b);
          const p95 = percentile(deltas, 95);
          if (name === 'this build') worst = Math.max(worst, p95);
          rows.push([
            name,
            round,
            view,
            deltas.length,
            percentile(deltas, 50).toFixed(1),
            p95.toFixed(1),
            deltas[deltas.length - 1].toFixed(1),
            `<= ${LIMIT_P95_MS} ms`,
            p95 <= LIMIT_P95_MS ? 'yes' : 'no',
            os.loadavg()[0].toFixed(1),
          ]);
        }
        await page.close();
      }
    process.stdout.write(
      `${machine()} (other work on the machine lengthens frames: see the load column)\n${NODES} nodes, ${PODS} pods, ${CHURN} pod changes/s batched every 100 ms; ${SECONDS} s of scrolling per view\n` +
        `first snapshot drawn after navigation: ${firstRenders.join(', ')}\n${table(rows)}\n` +
        `frame time p95 (worst view of this build) ${worst.toFixed(1)} ms, limit ${LIMIT_P95_MS} ms: ${worst <= LIMIT_P95_MS ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    clearInterval(churn);
    await browser.close();
    for (const p of pages) p.close();
  }
}

runIfMain(module, run);
