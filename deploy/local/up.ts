// `npm run up`: a whole cluster on this machine, in the foreground. Starts etcd, the apiserver, the
// scheduler, the controller-manager, kube-proxy and NODES kubelets, each with its own credential (see
// deploy/pki), and keeps them running: one that exits is started again after a back-off, as systemd
// would (deploy/local/supervisor.ts). Writes <data>/kubeconfig (admin) and <data>/kubeconfig-viewer once
// every component is ready (deploy/local/readiness.ts), and <data>/run/<component>.pid (+ .json with the
// command line) for each process; Ctrl-C or SIGTERM stops everything and removes the pods' containers.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tokensByUser } from '../../shared/tokenfile';
import { Client } from '../../shared/client';
import { realClock } from '../../shared/clock';
import { newLogger } from '../../shared/log';
import { ensureClusterCredentials, writeUserKubeconfigs } from '../pki/credentials';
import { clusterComponents, Component, dashboardProxyURL, POD_NETWORK, POD_NETWORK_GATEWAY } from './components';
import { freePort } from './ports';
import { isReady, ReadinessContext } from './readiness';
import { Supervised } from './supervisor';

const log = newLogger('launcher');
const root = path.resolve(__dirname, '..', '..', '..');
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, '.data'));
const runDir = path.join(dataDir, 'run');
const logDir = path.join(dataDir, 'logs');

const supervised: Supervised[] = [];

/** Starts a component under supervision: restarted after a back-off if it exits (deploy/local/supervisor.ts). */
function supervise(c: Component): Supervised {
  const logFile = path.join(logDir, `${c.name}.log`);
  const spawnIt = () => {
    const out = fs.openSync(logFile, 'a');
    const child = spawn(c.command, c.args, { stdio: ['ignore', out, out], env: process.env });
    fs.closeSync(out);
    return child;
  };
  const s = new Supervised(c.name, spawnIt, realClock, log, (child) => {
    fs.writeFileSync(path.join(runDir, `${c.name}.pid`), `${child.pid}\n`);
    fs.writeFileSync(path.join(runDir, `${c.name}.json`), JSON.stringify({ command: c.command, args: c.args, log: logFile }, null, 2));
  });
  s.start();
  supervised.push(s);
  return s;
}

/** Waits until every component is ready (deploy/local/readiness.ts), logging the ones it still waits for. */
async function waitUntilReady(components: [Component, Supervised][], ctx: ReadinessContext, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    const pending: string[] = [];
    for (const [c, s] of components) if (c.readiness && !(await isReady(c.readiness, s.pid, ctx))) pending.push(c.name);
    if (!pending.length) return;
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000} s: ${pending.join(', ')}`);
    if (Date.now() - lastReport >= 5000) {
      log.info({ waitingFor: pending }, 'waiting for components to be ready');
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops every component, the last started first. */
async function stopAll(): Promise<void> {
  for (const s of [...supervised].reverse()) {
    await s.stop(5000);
    fs.rmSync(path.join(runDir, `${s.name}.pid`), { force: true });
    log.info({ process: s.name }, 'stopped');
  }
}

/** Removes the containers the kubelets of this cluster created (they keep running when a kubelet stops). */
function removePodContainers(nodes: string[]): void {
  for (const node of nodes) {
    let ids: string[] = [];
    try {
      ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubernetes.node.name=${node}`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    } catch (err) {
      log.warn({ err }, 'could not list pod containers');
    }
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    if (ids.length) log.info({ node, containers: ids.length }, 'removed pod containers');
  }
  // The pod network goes too, unless another cluster's pods still use it.
  try {
    execFileSync('docker', ['network', 'rm', POD_NETWORK], { stdio: 'ignore' });
  } catch {
    // in use or already gone
  }
}

let stopping = false;

async function main(): Promise<void> {
  const nodes = Number(process.env.NODES ?? 2);
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const apiserverPort = Number(process.env.APISERVER_PORT ?? 6443);
  const components = clusterComponents({
    root,
    dataDir,
    apiserverPort,
    etcdClientPort: await freePort(),
    etcdPeerPort: await freePort(),
    nodes,
    proxyMode: process.env.PROXY_MODE ?? 'userspace',
    // The dashboard runs in the cluster as an add-on, applied by the apiserver from deploy/addons.
    addonsDir: path.join(root, 'deploy', 'addons'),
  });
  const credentials = {
    dataDir,
    server: `https://127.0.0.1:${apiserverPort}`,
    extraSANs: [POD_NETWORK_GATEWAY], // the apiserver's endpoint, as kubeadm names the advertise address
    kubernetesServiceIP: '10.96.0.1',
    nodes: Array.from({ length: nodes }, (_, i) => `node-${i + 1}`),
  };
  const creds = ensureClusterCredentials(credentials);
  // The admin kubeconfig appears only once this run's cluster is ready: scripts wait for it.
  fs.rmSync(creds.adminKubeconfig, { force: true });
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the cluster');
    await stopAll();
    removePodContainers(Array.from({ length: nodes }, (_, i) => `node-${i + 1}`));
    process.exit(process.exitCode ?? 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const ca = fs.readFileSync(creds.caFile);
  const ctx: ReadinessContext = {
    client: new Client({ server: credentials.server, ca, token: tokensByUser(creds.tokenFile).get('admin') }),
    ca,
    now: () => Date.now(),
  };
  const running: [Component, Supervised][] = [];
  for (const c of components) {
    if (stopping) return;
    if (c.entry && !fs.existsSync(c.entry)) {
      log.warn({ process: c.name }, 'not built yet; skipped');
      continue;
    }
    running.push([c, supervise(c)]);
    // The others need the API: start them once it answers.
    if (c.name === 'apiserver') await waitUntilReady(running, ctx, 60_000);
  }
  await waitUntilReady(running, ctx, 120_000);
  writeUserKubeconfigs(credentials);
  log.info({ kubeconfig: creds.adminKubeconfig, logs: logDir }, `cluster up: export KUBECONFIG=${creds.adminKubeconfig}`);
  log.info({ url: dashboardProxyURL() }, `dashboard: run kubectl proxy, then open ${dashboardProxyURL()}`);
}

main().catch((err) => {
  log.error({ err }, 'the cluster failed to start');
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
});
