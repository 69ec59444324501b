// Starts one cluster for all end-to-end tests, exactly as `npm run up` does (the compiled launcher), in
// an isolated data dir with a free apiserver port, and checks that the kubeconfig means a ready cluster.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DIST, freePort, ROOT, waitFor } from '../processes';

export const E2E_DATA_DIR = path.join(ROOT, '.data', 'e2e');
/** In the service range, and never given to a Service by these tests. */
const UNASSIGNED_CLUSTER_IP = '10.111.222.33';

export default async function globalSetup(): Promise<void> {
  fs.rmSync(E2E_DATA_DIR, { recursive: true, force: true });
  fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
  const port = await freePort();
  const out = fs.openSync(path.join(E2E_DATA_DIR, 'launcher.log'), 'a');
  const launcher = spawn(process.execPath, [path.join(DIST, 'deploy', 'local', 'up.js')], {
    env: {
      ...process.env,
      DATA_DIR: E2E_DATA_DIR,
      APISERVER_PORT: String(port),
      NODES: process.env.NODES ?? '2',
    },
    stdio: ['ignore', out, out],
    detached: false,
  });
  fs.closeSync(out);
  fs.writeFileSync(path.join(E2E_DATA_DIR, 'launcher.pid'), String(launcher.pid));
  launcher.unref();
  try {
    await waitFor(() => fs.existsSync(path.join(E2E_DATA_DIR, 'kubeconfig')), { timeoutMs: 200_000, what: 'the e2e cluster kubeconfig' });
  } catch (err) {
    launcher.kill('SIGTERM'); // it stops whatever it started
    throw err;
  }
  // The kubeconfig means every component is ready: kube-proxy has already routed the service range nowhere.
  const route = spawnSync('ip', ['route', 'get', UNASSIGNED_CLUSTER_IP], { encoding: 'utf8' });
  if (route.status === 0 || !/No route to host/.test(route.stderr)) {
    launcher.kill('SIGTERM');
    throw new Error(
      `the kubeconfig appeared before kube-proxy's unreachable route: ip route get ${UNASSIGNED_CLUSTER_IP}: ${route.stdout}`,
    );
  }
  process.env.KUBECONFIG = path.join(E2E_DATA_DIR, 'kubeconfig');
}
