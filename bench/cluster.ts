// A whole cluster for the benchmarks that need kube-proxy and kubelets: the compiled launcher (what
// `npm run up` runs) in its own data dir. Only one such cluster can run on a host at a time (kube-proxy
// owns the ClusterIPs and the DNS address), so do not run these beside the e2e tests.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '../shared/client';
import { loadKubeconfig } from '../shared/kubeconfig';
import { DIST, freePort, ROOT, waitFor } from '../test/processes';

export interface BenchCluster {
  dataDir: string;
  kubeconfig: string;
  client: Client;
  /** PID of each component, from the launcher's pid files. */
  pids(): Map<string, number>;
  stop(): Promise<void>;
}

export async function startCluster(nodes = 2): Promise<BenchCluster> {
  const dataDir = path.join(ROOT, '.data', 'bench');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const out = fs.openSync(path.join(dataDir, 'launcher.log'), 'a');
  const launcher: ChildProcess = spawn(process.execPath, [path.join(DIST, 'deploy', 'local', 'up.js')], {
    env: { ...process.env, DATA_DIR: dataDir, APISERVER_PORT: String(await freePort()), NODES: String(nodes), LOG_LEVEL: 'warn' },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((r) => launcher.once('exit', () => r()));
  const stop = async () => {
    launcher.kill('SIGTERM'); // it stops every component and removes the pods' containers
    await exited;
  };
  const kubeconfig = path.join(dataDir, 'kubeconfig');
  try {
    await waitFor(() => fs.existsSync(kubeconfig), { timeoutMs: 90_000, what: 'the bench cluster' });
    const client = new Client(loadKubeconfig(kubeconfig));
    await waitFor(
      async () => {
        const list = await client.request<{ items: { status?: { conditions?: { type: string; status: string }[] } }[] }>(
          'GET',
          '/api/v1/nodes',
        );
        return (
          list.items.length === nodes &&
          list.items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        );
      },
      { timeoutMs: 60_000, what: 'Ready nodes' },
    );
    const pids = () =>
      new Map(
        fs
          .readdirSync(path.join(dataDir, 'run'))
          .filter((f) => f.endsWith('.pid'))
          .map((f) => [f.slice(0, -4), Number(fs.readFileSync(path.join(dataDir, 'run', f), 'utf8'))]),
      );
    return { dataDir, kubeconfig, client, pids, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
