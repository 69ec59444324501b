// Starting and stopping the project's real processes from tests: free ports, temp dirs, readiness waits.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../deploy/local/ports';
import { nodeOptions } from '../deploy/nodeoptions';
import type { ClientConfig } from '../shared/kubeconfig';
import { loadKubeconfig } from '../shared/kubeconfig';
import { apiserverEtcdArgs, etcdArgs, etcdURL } from '../deploy/etcd';
import { ensureClusterCredentials, writeUserKubeconfigs } from '../deploy/pki/credentials';
import { Client } from '../shared/client';

export { freePort };

/** The repository root, from test/ under ts-jest or from dist/test/ when compiled (benchmarks). */
function findRoot(dir: string): string {
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export const ROOT = findRoot(__dirname);
export const DIST = path.join(ROOT, 'dist');

/** Whether a process with this PID is still there (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** The status code of a GET (over HTTPS without checking the server's certificate: health probes). */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { timeout: 2000, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

export interface Proc {
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startProcess(command: string, args: string[], logFile: string): Proc {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ControlPlane {
  url: string;
  /** How a client reaches this apiserver as the cluster admin. */
  config: ClientConfig;
  /** An admin kubeconfig file for kubectl started against it. */
  kubeconfig: string;
  /** The viewer's (read-only) kubeconfig. */
  viewerKubeconfig: string;
  /** A component's own kubeconfig: `scheduler`, `controller-manager`, `kube-proxy`, `kubelet-<node>`. */
  componentKubeconfig(name: string): string;
  /** Path of the cluster CA certificate. */
  caFile: string;
  etcdUrl: string;
  /** What a client of that etcd needs: the CA and the apiserver's client certificate (PEM). */
  etcdTLS: { ca: Buffer; cert: Buffer; key: Buffer };
  dir: string;
  etcd: Proc;
  apiserver: Proc;
  /** One more apiserver on the same etcd, on a free port, with these extra flags; stopped with the rest. */
  startApiserver(args: string[]): Promise<{ url: string; config: ClientConfig; proc: Proc }>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** The etcd URL the apiserver is given, from etcd's own (a test puts a fault proxy in between). */
  etcdEndpoint?: (etcdUrl: string) => Promise<string>;
  /** Runs before etcd starts, with its data directory and peer URL (a test restores a snapshot there). */
  beforeEtcdStarts?: (dataDir: string, peerUrl: string) => void;
  /**
   * Runs the ServiceAccount admission plugin. Off by default: with no controller-manager here no
   * namespace gets its `default` ServiceAccount, so the plugin would refuse every pod (Kubernetes'
   * integration tests turn it off for the same reason).
   */
  serviceAccountAdmission?: boolean;
}

/**
 * A real etcd and a real apiserver (compiled) on free ports, with data, certificates and tokens in a
 * temp dir; `nodes` get kubelet credentials.
 */
export async function startControlPlane(
  extraApiserverArgs: string[] = [],
  nodes: string[] = ['node-1'],
  options: ControlPlaneOptions = {},
): Promise<ControlPlane> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-k8s-'));
  const [client, peer, api] = [await freePort(), await freePort(), await freePort()];
  const credentials = { dataDir: dir, server: `https://127.0.0.1:${api}`, extraSANs: [], kubernetesServiceIP: '10.96.0.1', nodes };
  const creds = ensureClusterCredentials(credentials);
  writeUserKubeconfigs(credentials);
  const etcdUrl = etcdURL(client);
  const apiserverEtcdUrl = options.etcdEndpoint ? await options.etcdEndpoint(etcdUrl) : etcdUrl;
  options.beforeEtcdStarts?.(`${dir}/etcd`, `http://127.0.0.1:${peer}`);
  const etcd = startProcess(
    'etcd',
    etcdArgs({ dataDir: `${dir}/etcd`, clientPort: client, peerPort: peer, credentials: creds }),
    `${dir}/etcd.log`,
  );
  const apiserverArgs = (port: number, extra: string[]) => [
    ...nodeOptions('apiserver'),
    path.join(DIST, 'apiserver', 'main.js'),
    ...apiserverEtcdArgs(client, creds).map((a) => (a.startsWith('--etcd-servers=') ? `--etcd-servers=${apiserverEtcdUrl}` : a)),
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${creds.certificate('apiserver').cert}`,
    `--tls-private-key-file=${creds.certificate('apiserver').key}`,
    `--token-auth-file=${creds.tokenFile}`,
    `--service-account-signing-key-file=${creds.serviceAccountKey.key}`,
    `--service-account-key-file=${creds.serviceAccountKey.pub}`,
    `--client-ca-file=${creds.caFile}`,
    `--kubelet-client-certificate=${creds.certificate('apiserver-kubelet-client').cert}`,
    `--kubelet-client-key=${creds.certificate('apiserver-kubelet-client').key}`,
    ...(options.serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
    ...extra,
  ];
  const apiserver = startProcess(process.execPath, apiserverArgs(api, extraApiserverArgs), `${dir}/apiserver.log`);
  const more: Proc[] = [];
  const url = `https://127.0.0.1:${api}`;
  const config = loadKubeconfig(creds.adminKubeconfig);
  const stopAll = async () => {
    for (const p of more) await p.stop();
    await apiserver.stop();
    await etcd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await httpStatus(`${url}/readyz`)) === 200, { what: 'the apiserver to be ready' });
    // The bootstrap (system namespaces, default roles) runs right after etcd answers.
    const admin = new Client(config);
    await waitFor(
      () => admin.request('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/mini-kubernetes:viewers-cluster').then(() => true),
      { what: 'bootstrap' },
    );
  } catch (err) {
    await stopAll(); // never leave processes behind
    throw err;
  }
  return {
    url,
    config,
    kubeconfig: creds.adminKubeconfig,
    viewerKubeconfig: creds.viewerKubeconfig,
    componentKubeconfig: creds.componentKubeconfig,
    caFile: creds.caFile,
    etcdUrl,
    etcdTLS: {
      ca: fs.readFileSync(creds.caFile),
      cert: fs.readFileSync(creds.certificate('apiserver-etcd-client').cert),
      key: fs.readFileSync(creds.certificate('apiserver-etcd-client').key),
    },
    dir,
    etcd,
    apiserver,
    async startApiserver(args: string[]) {
      const port = await freePort();
      const proc = startProcess(process.execPath, apiserverArgs(port, args), `${dir}/apiserver-${port}.log`);
      more.push(proc);
      const url = `https://127.0.0.1:${port}`;
      await waitFor(async () => (await httpStatus(`${url}/readyz`)) === 200, { what: 'the second apiserver to be ready' });
      return { url, config: { ...config, server: url }, proc };
    },
    stop: stopAll,
  };
}

/** The newest kubectl here, what a user's laptop has: the tests run each binary directly, never the dispatcher. */
export const KUBECTL_NEWEST = 33;

/** The real kubectl of a minor version (1.27 to 1.33), run directly. */
export const kubectlBinary = (minor: number = KUBECTL_NEWEST) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
