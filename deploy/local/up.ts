// `npm run up`: a whole cluster on this machine, in the foreground. Starts etcd, the apiserver, the
// scheduler, the controller-manager, kube-proxy and NODES kubelets, each with its own credential (see
// deploy/pki); writes <data>/kubeconfig (admin) and <data>/kubeconfig-viewer once the apiserver is ready,
// and <data>/run/<component>.pid (+ .json with the command line, so tests can restart a component); Ctrl-C or SIGTERM stops everything and removes the pods' containers.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { newLogger } from '../../shared/log';
import { ensureClusterCredentials, writeUserKubeconfigs } from '../pki/credentials';
import { clusterComponents, Component, POD_NETWORK } from './components';
import { freePort } from './ports';

const log = newLogger('launcher');
const root = path.resolve(__dirname, '..', '..', '..');
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, '.data'));
const runDir = path.join(dataDir, 'run');
const logDir = path.join(dataDir, 'logs');

const children = new Map<string, ChildProcess>();

function start(c: Component): void {
  const out = fs.openSync(path.join(logDir, `${c.name}.log`), 'a');
  const child = spawn(c.command, c.args, { stdio: ['ignore', out, out], env: process.env });
  fs.closeSync(out);
  children.set(c.name, child);
  fs.writeFileSync(path.join(runDir, `${c.name}.pid`), `${child.pid}\n`);
  fs.writeFileSync(
    path.join(runDir, `${c.name}.json`),
    JSON.stringify({ command: c.command, args: c.args, log: path.join(logDir, `${c.name}.log`) }, null, 2),
  );
  log.info({ process: c.name, pid: child.pid }, 'started');
  child.on('exit', (code, signal) => {
    if (!stopping) log.warn({ process: c.name, code, signal }, 'exited (not restarted; see its log)');
  });
}

function waitReady(port: number, ca: Buffer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const req = https.get({ host: '127.0.0.1', port, path: '/readyz', ca, timeout: 1000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else retry();
      });
      req.on('error', retry);
      req.on('timeout', () => req.destroy());
    };
    const retry = () => (Date.now() > deadline ? reject(new Error('the apiserver did not become ready')) : setTimeout(attempt, 200));
    attempt();
  });
}

/** The PID in a pid file, if the process is alive: tests may have restarted a component. */
function livePid(name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(runDir, `${name}.pid`), 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function stopAll(names: string[]): Promise<void> {
  for (const name of [...names].reverse()) {
    const pid = livePid(name);
    if (pid === undefined) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (livePid(name) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (livePid(name) !== undefined) process.kill(pid, 'SIGKILL');
    fs.rmSync(path.join(runDir, `${name}.pid`), { force: true });
    log.info({ process: name }, 'stopped');
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
  });
  const credentials = {
    dataDir,
    server: `https://127.0.0.1:${apiserverPort}`,
    extraSANs: [],
    kubernetesServiceIP: '10.96.0.1',
    nodes: Array.from({ length: nodes }, (_, i) => `node-${i + 1}`),
  };
  const creds = ensureClusterCredentials(credentials);
  // The admin kubeconfig appears only once this run's apiserver answers: scripts wait for it.
  fs.rmSync(creds.adminKubeconfig, { force: true });
  const started: string[] = [];
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the cluster');
    await stopAll(started);
    removePodContainers(Array.from({ length: nodes }, (_, i) => `node-${i + 1}`));
    process.exit(process.exitCode ?? 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  for (const c of components) {
    if (stopping) return;
    if (c.entry && !fs.existsSync(c.entry)) {
      log.warn({ process: c.name }, 'not built yet; skipped');
      continue;
    }
    start(c);
    started.push(c.name);
    if (c.name === 'apiserver') {
      await waitReady(apiserverPort, fs.readFileSync(creds.caFile), 60_000);
      writeUserKubeconfigs(credentials);
      log.info({ kubeconfig: creds.adminKubeconfig, viewer: creds.viewerKubeconfig }, 'the apiserver is ready');
    }
  }
  log.info({ kubeconfig: creds.adminKubeconfig, logs: logDir }, `cluster up: export KUBECONFIG=${creds.adminKubeconfig}`);
}

main().catch((err) => {
  log.error({ err }, 'the cluster failed to start');
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
});
